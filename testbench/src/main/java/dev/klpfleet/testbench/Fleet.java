package dev.klpfleet.testbench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A fleet of real-kernel VMs driven through {@code testbench/fleet}: each guest runs
 * {@code klpfleet agent} in its forever mode against a server on this host's loopback. Closing it
 * (or the JVM ending: a shutdown hook) runs {@code fleet down}; the VMs' supervisors also watch
 * this JVM's pid, so a killed test leaves no qemu behind either.
 *
 * <pre>{@code
 * try (Fleet fleet = Fleet.up(new Fleet.Spec(dir, 3, List.of("6.12", "6.1"), server.url(), token, pub, 5, "", server.fingerprint()))) {
 *     fleet.exec("vm2", "cat /proc/cmdline").requireSuccess();
 * }
 * }</pre>
 */
public final class Fleet implements AutoCloseable {
    /** Bound on {@code fleet up}: every guest booted and its agent checked in (TCG on a loaded machine). */
    public static final Duration UP_TIMEOUT = Duration.ofMinutes(8);
    /** Bound on one {@link #reboot}. */
    public static final Duration REBOOT_TIMEOUT = Duration.ofMinutes(5);
    /** Default bound on one {@link #exec}. */
    public static final Duration EXEC_TIMEOUT = Duration.ofMinutes(3);
    /** Extra host-side wait beyond a script's own bound. */
    static final Duration GRACE = Duration.ofSeconds(30);

    /**
     * @param dir             the fleet's directory (VM state, control shares, console logs)
     * @param vms             how many guests, named vm1..vmN
     * @param kernels         kernel lines or releases, assigned round-robin
     * @param serverUrl       {@code https://127.0.0.1:PORT} of the server on this host
     * @param intervalSeconds the agents' idle check-in interval ({@code klpfleet agent --interval}), 0 for the server's
     * @param agentOptions    more {@code klpfleet agent} options, space-separated (e.g. {@code --stall-timeout 5s}), or empty
     * @param serverFingerprint the server certificate's SHA-256 fingerprint, which every agent pins
     */
    public record Spec(Path dir, int vms, List<String> kernels, String serverUrl, String enrollToken, Path publicKey,
                       int intervalSeconds, String agentOptions, String serverFingerprint) {}

    /** What a command left behind in a guest. */
    public record Exec(String vm, int exitCode, String output, String benchOutput) {
        public Exec requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError(vm + ": guest command failed with exit code " + exitCode + "\n" + output + benchOutput);
            }
            return this;
        }
    }

    private final Spec spec;
    private final Thread hook;
    private boolean closed;

    private Fleet(Spec spec) {
        this.spec = spec;
        this.hook = new Thread(this::down, "fleet-down");
    }

    /**
     * Boots the fleet and returns once every agent enrolled and checked in.
     *
     * @throws TestbenchException with the console log of the guest that did not come up (the others are stopped)
     */
    public static Fleet up(Spec spec) {
        Fleet fleet = new Fleet(spec);
        Runtime.getRuntime().addShutdownHook(fleet.hook);
        List<String> argv = new ArrayList<>(List.of(script(), "up", "--dir", spec.dir().toString(), "--vms", Integer.toString(spec.vms()),
                "--kernels", String.join(",", spec.kernels()), "--server", spec.serverUrl(), "--server-fingerprint", spec.serverFingerprint(),
                "--enroll-token", spec.enrollToken(),
                "--public-key", spec.publicKey().toString(), "--timeout", Long.toString(UP_TIMEOUT.toSeconds()),
                "--owner", Long.toString(ProcessHandle.current().pid())));
        if (spec.intervalSeconds() > 0) {
            argv.addAll(List.of("--interval", Integer.toString(spec.intervalSeconds())));
        }
        if (!spec.agentOptions().isBlank()) {
            argv.addAll(List.of("--agent-opts", spec.agentOptions()));
        }
        HostCommand.Result r = run(argv, UP_TIMEOUT.plus(Duration.ofMinutes(2)));
        if (r.exitCode() != 0) {
            fleet.close();
            throw new TestbenchException("fleet up failed (exit " + r.exitCode() + "):\n" + r.stderr());
        }
        return fleet;
    }

    /** The guests' names, vm1..vmN. */
    public List<String> vms() {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= spec.vms(); i++) {
            out.add("vm" + i);
        }
        return out;
    }

    /** The kernel line or release {@code vm} was booted with, as given in the spec. */
    public String kernel(String vm) {
        int i = Integer.parseInt(vm.substring(2));
        return spec.kernels().get((i - 1) % spec.kernels().size());
    }

    public Path dir() {
        return spec.dir();
    }

    /** Runs {@code shellScript} with {@code bash -c} as root in {@code vm}, within {@link #EXEC_TIMEOUT}. */
    public Exec exec(String vm, String shellScript) {
        return exec(vm, shellScript, EXEC_TIMEOUT);
    }

    public Exec exec(String vm, String shellScript, Duration timeout) {
        HostCommand.Result r = run(List.of(script(), "exec", spec.dir().toString(), vm, "--timeout", Long.toString(timeout.toSeconds()),
                "--", "bash", "-c", shellScript), timeout.plus(GRACE));
        return new Exec(vm, r.exitCode(), r.stdout(), r.stderr());
    }

    /** Power-cycles {@code vm} (also after it went down by itself) and waits until its agent checked in again. */
    public void reboot(String vm) {
        HostCommand.Result r = run(List.of(script(), "reboot", spec.dir().toString(), vm, "--timeout", Long.toString(REBOOT_TIMEOUT.toSeconds())),
                REBOOT_TIMEOUT.plus(GRACE));
        if (r.exitCode() != 0) {
            throw new TestbenchException("fleet reboot " + vm + " failed (exit " + r.exitCode() + "):\n" + r.stderr());
        }
    }

    /** {@code fleet status DIR --json}. */
    public String status() {
        return run(List.of(script(), "status", spec.dir().toString(), "--json"), Duration.ofSeconds(30)).stdout();
    }

    /** The agent's log (stderr) and its pass documents of {@code vm}'s current boot, for failure messages. */
    public String agentLog(String vm) {
        return read(spec.dir().resolve(vm).resolve("ctl/agent.log"));
    }

    /** Every console line {@code vm}'s kernels printed, across boots. */
    public String consoleLog(String vm) {
        return read(spec.dir().resolve(vm).resolve("console-all.log")) + read(spec.dir().resolve(vm).resolve("console.log"));
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        down();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Called from the hook itself, or during shutdown: nothing left to remove.
        }
    }

    private void down() {
        run(List.of(script(), "down", spec.dir().toString()), Duration.ofMinutes(1));
    }

    private static String read(Path p) {
        try {
            return java.nio.file.Files.exists(p) ? java.nio.file.Files.readString(p) : "";
        } catch (java.io.IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    private static String script() {
        return Testbench.script("fleet").toString();
    }

    private static HostCommand.Result run(List<String> argv, Duration limit) {
        return new HostCommand(argv, limit).run();
    }
}
