package dev.klpfleet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Where the kernel's pseudo file systems are mounted: {@code /} on a real host, a fixture tree in
 * unit tests. Every path the {@code kernel} room reads or writes goes through here, so a test can
 * point the whole room at {@code src/test/resources/fixtures/6.12} and nothing else changes.
 */
public record KernelRoot(Path root) {
    /** Large enough for any sysctl or sysfs attribute in one read; longer files take several. */
    static final int READ_CHUNK = 64 * 1024;


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
     * (a task that exited, an attribute this kernel version lacks). A file that exists but cannot be
     * read is an {@link UncheckedIOException}, never empty: "unreadable" must not pass for "absent".
     */
    public Optional<String> read(String absolute) {
        try {
            String s = readPseudoFile(path(absolute));
            return Optional.of(s.endsWith("\n") ? s.substring(0, s.length() - 1) : s);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            if (vanished(absolute, e)) {
                return Optional.empty();
            }
            throw new UncheckedIOException("cannot read " + absolute + ": " + e.getMessage(), e);
        }
    }

    /**
     * Whether a failed read means the object is gone rather than broken: a task that exited
     * (any error under {@code /proc/PID/}: ESRCH, and EACCES on {@code /proc/PID/stack} of a task
     * being reaped), or a sysfs attribute whose kobject the kernel is deleting (ENODEV: a livepatch
     * freed after its disable completed). Anything else, e.g. {@code /proc/sys/kernel/tainted}
     * failing, is a read error.
     */
    private static boolean vanished(String absolute, IOException e) {
        // open() failures carry errno in FileSystemException's reason, read() failures in the message.
        String reason = e instanceof FileSystemException fse ? String.valueOf(fse.getReason()) : String.valueOf(e.getMessage());
        if (TASK_PATH.matcher(absolute).lookingAt()) {
            return true;
        }
        return absolute.startsWith("/sys/") && (reason.contains("No such device") || reason.contains("No such file"));
    }

    /** {@code /proc/PID/} and {@code /proc/PID/task/TID/}: the files of one task. */
    private static final java.util.regex.Pattern TASK_PATH = java.util.regex.Pattern.compile("/proc/(self|\\d+)/");

    /**
     * Reads a procfs/sysfs file from offset 0 with reads of {@link #READ_CHUNK} bytes.
     *
     * <p>Why not {@code Files.readString}: procfs reports size 0, so the JDK first reads a single
     * byte and then continues at offset 1, and integer sysctls (proc_dointvec in
     * kernel/sysctl.c, all kernels) answer any read at a non-zero offset with EOF:
     * {@code /proc/sys/kernel/tainted} holding 45056 would read as "4".
     */
    private static String readPseudoFile(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(READ_CHUNK);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            while (ch.read(buf) > 0) {
                out.write(buf.array(), 0, buf.position());
                buf.clear();
            }
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    /** Writes one value to a sysfs or procfs attribute, as {@code echo VALUE > FILE} would. */
    public void write(String absolute, String value) throws IOException {
        Files.writeString(path(absolute), value + "\n", StandardCharsets.US_ASCII);
    }
}
