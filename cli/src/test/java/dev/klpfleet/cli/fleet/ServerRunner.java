package dev.klpfleet.cli.fleet;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code klpfleet server} in its own JVM for a start that must fail, and returns its exit code and output. */
final class ServerRunner {
    private ServerRunner() {
    }

    static FleetCommandsTest.Run runToExit(Path data, String... extraArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.klpfleet.cli.Main",
                "server", "--data", data.toString()));
        cmd.addAll(List.of(extraArgs));
        if (!cmd.contains("--listen")) {
            cmd.addAll(List.of("--listen", "127.0.0.1:0"));
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("KLPFLEET_ADMIN_TOKEN", ServerProcess.ADMIN);
        Path err = Files.createTempFile("klpfleet-server", ".err");
        Path out = Files.createTempFile("klpfleet-server", ".out");
        pb.redirectError(err.toFile()).redirectOutput(out.toFile());
        Process p = pb.start();
        if (!p.waitFor(ServerProcess.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(ServerProcess.KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("the server started instead of refusing: " + String.join(" ", extraArgs));
        }
        return new FleetCommandsTest.Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }
}
