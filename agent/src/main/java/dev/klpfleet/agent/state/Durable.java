package dev.klpfleet.agent.state;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;

/**
 * Writes that survive a power loss: data is forced to disk before the rename that publishes it,
 * and the directory is forced after, so the rename itself is on disk (a rename lives in the
 * directory, which fsync of the file does not cover).
 *
 * <p>Forcing a directory opens it read-only and calls fsync on that descriptor, which Linux
 * supports on every file system klpfleet runs on (ext4, xfs, btrfs, tmpfs); the JDK documents
 * opening a directory as platform-specific, and on a platform that refuses it this throws.
 */
public final class Durable {
    private Durable() {}

    /** Creates (or truncates) {@code file} with {@code bytes}, forced to disk; not yet published anywhere. */
    public static void writeForced(Path file, byte[] bytes, FileAttribute<?>... attrs) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, attrs);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(bytes);
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
            ch.force(true);
        }
    }

    /** Renames {@code from} over {@code to} atomically, then forces the directory holding {@code to}. */
    public static void publish(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new FileSystemException(to.toString(), null, "the data directory's file system cannot rename atomically");
        }
        forceDirectory(to.toAbsolutePath().getParent());
    }

    /** fsync of a directory: makes the entries created, renamed or deleted in it durable. */
    public static void forceDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
