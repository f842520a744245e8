package dev.klpfleet.server.access;

import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.PrivateFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The server secret that keys {@link TokenHash}: 32 random bytes as hex in a 0600 file, created
 * on first start. Servers sharing one database must share this file (see {@code --token-key}).
 */
public final class TokenHashKey {
    /** Its default file name in the data directory. */
    public static final String FILE = "token-hash.key";
    private static final String CHECK_TEXT = "klpfleet token-hash key check";
    private static final HexFormat HEX = HexFormat.of();

    private TokenHashKey() {}

    /** A server whose key is not the one the database's tokens were hashed with. */
    public static final class Mismatch extends IllegalArgumentException {
        Mismatch(String message) {
            super(message);
        }
    }

    /**
     * Reads the key in {@code file}, creating it (0600, fsynced, never replacing one another
     * process created meanwhile) when absent.
     */
    public static byte[] loadOrCreate(Path file, SecureRandom random) {
        try {
            if (!Files.exists(file)) {
                create(file, random);
            }
            PrivateFiles.file(file);
            String hex = Files.readString(file).strip();
            if (!hex.matches("([0-9a-fA-F]{2}){32,}")) {
                throw new IllegalArgumentException("token-hash key " + file + " is not at least 64 hex digits; restore it from a backup "
                        + "(without it no stored token can be checked)");
            }
            return HEX.parseHex(hex);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or create token-hash key " + file, e);
        }
    }

    private static void create(Path file, SecureRandom random) throws IOException {
        byte[] key = new byte[32];
        random.nextBytes(key);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".token-hash", ".tmp", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.write(java.nio.ByteBuffer.wrap((HEX.formatHex(key) + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                ch.force(true);
            }
            // A hard link fails if the name exists: two servers starting at once keep one key.
            Files.createLink(file, tmp);
        } catch (FileAlreadyExistsException e) {
            // Another process created it first; read theirs.
        } finally {
            Files.deleteIfExists(tmp);
        }
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        }
    }

    /**
     * Records this key's check value in the database, or refuses a key other than the recorded one.
     *
     * @throws Mismatch with a one-line reason naming the file
     */
    public static void bind(Database db, TokenHash hash, Path file) {
        String check = hash.of(CHECK_TEXT);
        String stored = db.inTransaction(h -> {
            String s = h.createQuery("SELECT check_value FROM token_hash_key WHERE id = 'tokens'").mapTo(String.class).findOne().orElse(null);
            if (s == null) {
                h.createUpdate("INSERT INTO token_hash_key (id, check_value) VALUES ('tokens', :c)").bind("c", check).execute();
                return check;
            }
            return s;
        });
        if (!stored.equals(check)) {
            throw new Mismatch("token-hash key " + file + " is not the key this database's tokens are hashed with; copy the file of the server "
                    + "that first used this database (or pass it with --token-key)");
        }
    }
}
