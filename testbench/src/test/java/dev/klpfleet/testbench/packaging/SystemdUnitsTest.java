package dev.klpfleet.testbench.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * packaging/systemd: the units pass {@code systemd-analyze verify} (systemd's own parser: any warning,
 * such as an unknown or misspelt key, fails the test), every variable they use is set and explained in
 * its environment file, every option they pass exists in {@code klpfleet --help}, and the
 * privileges are what packaging/README.md says: none for the server, CAP_SYS_MODULE for the agent.
 */
class SystemdUnitsTest {
    static final long VERIFY_TIMEOUT_SECONDS = 60;
    static final Pattern VAR = Pattern.compile("\\$\\{?([A-Z_][A-Z0-9_]*)\\}?");
    static final Pattern OPTION = Pattern.compile("(?<=\\s)--[a-z][a-z-]*");

    final Path repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
    final Path units = repo.resolve("packaging/systemd");

    @TempDir
    Path root;

    @Test
    void systemd_analyze_verify_accepts_both_units_and_the_evidence_drop_in_without_a_warning() throws Exception {
        Path analyze = Stream.of("/usr/bin/systemd-analyze", "/bin/systemd-analyze").map(Path::of).filter(Files::isExecutable)
                .findFirst().orElse(null);
        assumeTrue(analyze != null, "systemd-analyze is not installed (Debian 12 has it in the systemd package): units not verified");
        // An image root with the host's own unit library (sysinit.target etc.) and an executable where ExecStart points.
        Path lib = Path.of("/usr/lib/systemd/system");
        copyTree(lib, root.resolve("usr/lib/systemd/system"));
        Path bin = Files.createDirectories(root.resolve("usr/bin")).resolve("klpfleet");
        Files.writeString(bin, "#!/bin/sh\n");
        Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path etc = Files.createDirectories(root.resolve("etc/systemd/system"));
        for (String u : List.of("klpfleet-server.service", "klpfleet-agent.service")) {
            Files.copy(units.resolve(u), etc.resolve(u));
        }
        Files.createDirectories(etc.resolve("klpfleet-agent.service.d"));
        Files.copy(units.resolve("klpfleet-agent.service.d/evidence.conf.example"), etc.resolve("klpfleet-agent.service.d/evidence.conf"));

        Process p = new ProcessBuilder(analyze.toString(), "verify", "--man=no", "--root=" + root, "klpfleet-server.service",
                "klpfleet-agent.service").redirectErrorStream(true).start();
        assertThat(p.waitFor(VERIFY_TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("systemd-analyze verify finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as("systemd-analyze verify printed warnings").isBlank();
    }

    @Test
    void every_variable_a_unit_uses_is_set_and_explained_in_its_environment_file() throws IOException {
        for (String name : List.of("server", "agent")) {
            String unit = Files.readString(units.resolve("klpfleet-" + name + ".service"));
            assertThat(unit).contains("EnvironmentFile=/etc/klpfleet/klpfleet-" + name + ".env");
            List<String> env = Files.readAllLines(units.resolve("klpfleet-" + name + ".env"));
            Set<String> used = new LinkedHashSet<>();
            Matcher m = VAR.matcher(line(unit, "ExecStart="));
            while (m.find()) {
                used.add(m.group(1));
            }
            assertThat(used).as(name).isNotEmpty();
            for (String v : used) {
                int at = indexOf(env, v + "=");
                assertThat(at).as(v + " is set in klpfleet-" + name + ".env").isPositive();
                assertThat(env.get(at - 1)).as(v + " has a comment saying what it is").startsWith("#");
            }
            // And nothing set there is left unexplained.
            for (int i = 0; i < env.size(); i++) {
                if (!env.get(i).isBlank() && !env.get(i).startsWith("#")) {
                    assertThat(i > 0 && env.get(i - 1).startsWith("#")).as("klpfleet-" + name + ".env line " + (i + 1) + " explained").isTrue();
                }
            }
        }
    }

    @Test
    void every_option_a_unit_passes_is_one_the_command_has() throws Exception {
        for (String name : List.of("server", "agent")) {
            String exec = line(Files.readString(units.resolve("klpfleet-" + name + ".service")), "ExecStart=");
            String help = klpfleet(name, "--help");
            Matcher m = OPTION.matcher(exec);
            List<String> options = new ArrayList<>();
            while (m.find()) {
                options.add(m.group());
            }
            assertThat(options).as(name).isNotEmpty();
            for (String o : options) {
                assertThat(help).as("klpfleet " + name + " --help lists " + o).contains(o);
            }
        }
    }

    @Test
    void the_server_has_no_capabilities_and_the_agent_only_cap_sys_module_with_the_livepatch_tree_writable() throws IOException {
        String server = Files.readString(units.resolve("klpfleet-server.service"));
        assertThat(server).containsPattern("(?m)^CapabilityBoundingSet=$").containsPattern("(?m)^AmbientCapabilities=$")
                .contains("DynamicUser=yes", "PrivateTmp=yes", "ProtectSystem=strict", "StateDirectory=klpfleet-server", "NoNewPrivileges=yes",
                        "ProtectKernelModules=yes");
        String agent = Files.readString(units.resolve("klpfleet-agent.service"));
        assertThat(agent).containsPattern("(?m)^CapabilityBoundingSet=CAP_SYS_MODULE$").contains("ProtectSystem=strict",
                "ProtectKernelTunables=yes", "ReadWritePaths=-/sys/kernel/livepatch", "StateDirectory=klpfleet-agent", "NoNewPrivileges=yes",
                "PrivateTmp=yes");
        assertThat(agent).doesNotContainPattern("(?m)^ProtectKernelModules=yes").doesNotContainPattern("(?m)^PrivateDevices=yes");
    }

    private String klpfleet(String... args) throws Exception {
        List<String> argv = new ArrayList<>(List.of(repo.resolve("bin/klpfleet").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
        assertThat(p.waitFor(VERIFY_TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    private static String line(String unit, String prefix) {
        return unit.lines().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError("no " + prefix));
    }

    private static int indexOf(List<String> lines, String prefix) {
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isSymbolicLink(p)) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Files.readSymbolicLink(p));
                } else if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
