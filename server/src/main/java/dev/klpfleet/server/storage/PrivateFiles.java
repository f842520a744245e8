package dev.klpfleet.server.storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The data directory and database files hold credentials' hashes and the key that guards them:
 * created 0700/0600, and tightened to that (with a log line) when found wider.
 */
public final class PrivateFiles {
    private static final Logger LOG = LoggerFactory.getLogger(PrivateFiles.class);
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("rwx------");
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> OTHERS = EnumSet.of(PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    /** SQLite's companion files; it creates them with the database file's mode. */
    private static final String[] SQLITE_COMPANIONS = {"-wal", "-shm", "-journal"};

    private PrivateFiles() {}

    /** Creates {@code dir} (and missing parents) 0700, or tightens an existing one to 0700. */
    public static void directory(Path dir) {
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIR));
                Files.setPosixFilePermissions(dir, DIR); // the umask may have narrowed the attribute, never widened it; set it exactly
                return;
            }
            tighten(dir, DIR);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create data directory " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Makes sure the SQLite database {@code file} exists 0600 before SQLite opens it, and its companions are 0600 too. */
    public static void sqlite(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (!Files.isDirectory(parent)) {
                directory(parent);
            }
            if (!Files.exists(file)) {
                // An empty file is a valid new SQLite database; creating it here fixes its mode, and SQLite gives -wal/-shm the same.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(FILE));
            } else {
                tighten(file, FILE);
            }
            for (String c : SQLITE_COMPANIONS) {
                Path companion = Path.of(file + c);
                if (Files.exists(companion)) {
                    tighten(companion, FILE);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create database file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Tightens an existing secret file to 0600. */
    public static void file(Path file) {
        try {
            tighten(file, FILE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set the mode of " + file + ": " + e.getMessage(), e);
        }
    }

    private static void tighten(Path p, Set<PosixFilePermission> wanted) throws IOException {
        Set<PosixFilePermission> now = Files.getPosixFilePermissions(p);
        if (now.stream().anyMatch(OTHERS::contains)) {
            Files.setPosixFilePermissions(p, wanted);
            LOG.warn("{} was {}; set it to {} (it holds credential hashes)", p, PosixFilePermissions.toString(now), PosixFilePermissions.toString(wanted));
        }
    }
}
