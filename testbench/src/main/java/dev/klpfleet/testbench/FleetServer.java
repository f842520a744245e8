package dev.klpfleet.testbench;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code klpfleet server} (embedded SQLite) as a process on this host's loopback, as an operator
 * runs it, for a {@link Fleet} to talk to. {@link #kill()} is a SIGKILL; {@link #start()} again
 * listens on the same port, which the guests' forwards point at.
 */
public final class FleetServer implements AutoCloseable {
    /** Bound on the server's start (a JVM, Flyway migrations) on a loaded machine. */
    public static final Duration START_TIMEOUT = Duration.ofMinutes(2);
    /** Bound on one operator command. */
    public static final Duration CLI_TIMEOUT = Duration.ofMinutes(3);
    private static final Pattern LISTENING = Pattern.compile("listening on (https?://127\\.0\\.0\\.1:(\\d+))");
    /** The line {@code klpfleet server} prints after it, naming the certificate clients pin. */
    private static final Pattern FINGERPRINT = Pattern.compile("TLS certificate fingerprint (SHA256:[0-9A-F:]{95})");

    private final Path data;
    private final Path trustKey;
    private final String adminToken;
    private final Path log;
    private int port;
    private String fingerprint;
    private Process process;

    /** A server keeping its database in {@code data}, trusting {@code trustKey}, with {@code adminToken} (at least 32 characters). */
    public FleetServer(Path data, Path trustKey, String adminToken) {
        this.data = data;
        this.trustKey = trustKey;
        this.adminToken = adminToken;
        this.log = data.resolveSibling(data.getFileName() + ".log");
    }

    /** Starts the server (on a free port the first time, on the same port after {@link #kill()}) and waits until it listens. */
    public synchronized FleetServer start() {
        if (process != null && process.isAlive()) {
            throw new IllegalStateException("the server is running");
        }
        try {
            Files.createDirectories(data);
            long from = Files.exists(log) ? Files.size(log) : 0;
            ProcessBuilder pb = new ProcessBuilder(List.of(klpfleet().toString(), "server", "--data", data.toString(),
                    "--listen", "127.0.0.1:" + port, "--trust-key", trustKey.toString()))
                    .redirectInput(new File("/dev/null")).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().put("KLPFLEET_ADMIN_TOKEN", adminToken);
            process = pb.start();
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (System.nanoTime() < deadline) {
                String text = Files.readString(log);
                String since = text.substring((int) Math.min(from, text.length()));
                Matcher m = LISTENING.matcher(since);
                Matcher f = FINGERPRINT.matcher(since);
                if (m.find() && f.find()) {
                    port = Integer.parseInt(m.group(2));
                    // The certificate lives in the data directory, so a restart serves the same one.
                    fingerprint = f.group(1);
                    return this;
                }
                if (!process.isAlive()) {
                    throw new TestbenchException("klpfleet server exited with " + process.exitValue() + ":\n" + text);
                }
                Thread.sleep(200);
            }
            throw new TestbenchException("klpfleet server did not listen within " + START_TIMEOUT + ":\n" + Files.readString(log));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TestbenchException("interrupted while starting the server", e);
        }
    }

    /** SIGKILL, as a crash or an OOM kill would end it; returns once it is gone. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The server speaks TLS (its own certificate, made in its data directory on first start), as by default. */
    public String url() {
        return "https://127.0.0.1:" + port;
    }

    /** The SHA-256 fingerprint of the server's certificate, as it printed it: what agents and the CLI pin. */
    public String fingerprint() {
        return fingerprint;
    }

    public String adminToken() {
        return adminToken;
    }

    /** The server's log so far (every start appended). */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    /** Runs {@code klpfleet ARGS... --server URL --token ADMIN} on the host, as an operator would. */
    public Cli cli(String... args) {
        List<String> argv = new ArrayList<>(List.of(args));
        argv.addAll(List.of("--server", url(), "--server-fingerprint", fingerprint, "--token", adminToken));
        return host(argv);
    }

    /** Runs {@code klpfleet ARGS...} on the host (build, keys). */
    public static Cli host(List<String> args) {
        List<String> argv = new ArrayList<>(List.of(klpfleet().toString()));
        argv.addAll(args);
        HostCommand.Result r = new HostCommand(argv, CLI_TIMEOUT).run();
        return new Cli(String.join(" ", args), r.exitCode(), r.stdout(), r.stderr());
    }

    /** What one host {@code klpfleet} command printed. */
    public record Cli(String command, int exitCode, String stdout, String stderr) {
        public Cli requireSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("klpfleet " + command + " exited " + exitCode + "\n" + stdout + stderr);
            }
            return this;
        }
    }

    private static Path klpfleet() {
        return Testbench.dir().getParent().resolve("bin/klpfleet");
    }

    @Override
    public void close() {
        kill();
    }
}
