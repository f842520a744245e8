package dev.klpfleet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the kernel's pseudo file systems are mounted: {@code /} on a real host, a fixture tree in
 * unit tests. Every path the {@code kernel} room reads or writes goes through here, so a test can
 * point the whole room at {@code src/test/resources/fixtures/6.12} and nothing else changes.
 */
public record KernelRoot(Path root) {

    /** The running kernel's own files. */
    public static KernelRoot host() {
        return new KernelRoot(Path.of("/"));
    }

    /** Resolves an absolute kernel path such as {@code /sys/kernel/livepatch} under this root. */
    public Path path(String absolute) {
        if (!absolute.startsWith("/")) {
            throw new IllegalArgumentException("kernel paths are absolute: " + absolute);
        }
        return root.resolve(absolute.substring(1));
    }

    public boolean exists(String absolute) {
        return Files.exists(path(absolute));
    }

    /**
     * Reads a small pseudo file whole, without its trailing newline; empty when it does not exist
     * (a task that exited, an attribute this kernel version lacks).
     */
    public Optional<String> read(String absolute) {
        try {
            String s = Files.readString(path(absolute), StandardCharsets.UTF_8);
            return Optional.of(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            // ESRCH from a vanished /proc/PID, EACCES on /proc/PID/stack as non-root: absent, not fatal.
            if (absolute.startsWith("/proc/")) {
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read " + absolute + ": " + e.getMessage(), e);
        }
    }

    /** Writes one value to a sysfs or procfs attribute, as {@code echo VALUE > FILE} would. */
    public void write(String absolute, String value) throws IOException {
        Files.writeString(path(absolute), value + "\n", StandardCharsets.US_ASCII);
    }
}
