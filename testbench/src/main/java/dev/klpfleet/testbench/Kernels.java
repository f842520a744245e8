package dev.klpfleet.testbench;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Resolves kernel lines and releases through {@code testbench/kernel-release}, which reads
 * Debian's metapackages; results are cached for the life of the JVM.
 */
public final class Kernels {
    /** Bound on one {@code kernel-release} run (a dpkg-query). */
    static final Duration RESOLVE_LIMIT = Duration.ofSeconds(30);

    private static final Map<String, String> RELEASES = new ConcurrentHashMap<>();

    private Kernels() {
    }

    /** Returns the installed release of {@code line}. */
    public static String release(KernelLine line) {
        return release(line.line());
    }

    /**
     * Returns the release for a line ({@code "6.1"}, {@code "6.12"}) or checks that a full release
     * (e.g. {@code "6.1.0-56-amd64"}) is installed and returns it.
     *
     * @throws TestbenchException if the line is unknown or its kernel is not installed
     */
    public static String release(String lineOrRelease) {
        return RELEASES.computeIfAbsent(lineOrRelease, Kernels::resolve);
    }

    private static String resolve(String lineOrRelease) {
        HostCommand.Result result = new HostCommand(
                List.of(Testbench.script("kernel-release").toString(), lineOrRelease), RESOLVE_LIMIT).run();
        if (!result.succeeded()) {
            throw new TestbenchException("cannot resolve kernel " + lineOrRelease + ": " + result.stderr().strip());
        }
        return result.stdout().strip();
    }
}
