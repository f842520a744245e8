package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.host.FleetJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * {@code klpfleet server} as a separate JVM, started from this test's class path (the same classes
 * the shaded jar holds), so a test can kill it with SIGKILL as a crash or an OOM killer would.
 */
final class ServerProcess implements AutoCloseable {
    /** How long a server may take to open its database and bind its port on a busy 2-core machine. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    /** How long a killed JVM may take to be reaped. */
    static final Duration KILL_TIMEOUT = Duration.ofSeconds(10);
    static final String ADMIN = "process-test-admin-token-0123456789";
    /**
     * One certificate for every server process of this JVM, as servers sharing a database behind one name would
     * have; clients trust it as a CA file (its SAN names 127.0.0.1), so the CA path is what these tests cross.
     */
    static final TestCertificate CERT = TestCertificate.create();

    final Process process;
    final URI uri;
    final Path log;
    /** What the server printed when it started: url, database, tls, fingerprint. */
    final JsonNode started;

    private ServerProcess(Process process, URI uri, Path log, JsonNode started) {
        this.process = process;
        this.uri = uri;
        this.log = log;
        this.started = started;
    }

    /** Starts a server with no TLS options: it serves with the certificate it generates in {@code data}. */
    static ServerProcess startSelfSigned(Path data, String... extraArgs) throws Exception {
        return start(data, false, extraArgs);
    }

    /**
     * Starts {@code klpfleet server --data DIR --listen 127.0.0.1:0 --json} plus {@code extraArgs}
     * and returns once it printed the URL it serves on.
     */
    static ServerProcess start(Path data, String... extraArgs) throws Exception {
        return start(data, true, extraArgs);
    }

    private static ServerProcess start(Path data, boolean testCertificate, String... extraArgs) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.klpfleet.cli.Main",
                "server", "--data", data.toString(), "--listen", "127.0.0.1:0", "--json"));
        if (testCertificate && !List.of(extraArgs).contains("--plain-http")) {
            cmd.addAll(List.of("--tls-cert", CERT.certificate().toString(), "--tls-key", CERT.keyAndCertificate().toString()));
        }
        cmd.addAll(List.of(extraArgs));
        Path log = Files.createTempFile("klpfleet-server", ".log");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
        pb.environment().put("KLPFLEET_ADMIN_TOKEN", ADMIN);
        Process p = pb.start();
        // The server prints one JSON document with its URL once it serves, then nothing more on stdout.
        CompletableFuture<String> doc = CompletableFuture.supplyAsync(() -> {
            StringBuilder sb = new StringBuilder();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    sb.append(line).append('\n');
                    if (line.equals("}")) {
                        return sb.toString();
                    }
                }
            } catch (IOException e) {
                return sb.toString();
            }
            return sb.toString();
        });
        try {
            JsonNode started = FleetJson.mapper().readTree(doc.get(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS));
            String url = started == null ? "" : started.path("url").asText("");
            if (url.isEmpty()) {
                throw new IllegalStateException("server did not start: " + tail(log));
            }
            return new ServerProcess(p, URI.create(url + "/"), log, started);
        } catch (TimeoutException | ExecutionException | IOException | IllegalStateException e) {
            p.destroyForcibly().waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new IllegalStateException("server process did not come up: " + e + "\n" + tail(log), e);
        }
    }

    FleetClient admin() {
        return new FleetClient(uri, ADMIN, CERT.trust());
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed, open transactions die with the process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        if (!process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("server process " + process.pid() + " survived SIGKILL");
        }
    }

    static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
                kill();
            }
        }
    }
}
