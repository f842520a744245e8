package dev.klpfleet.server.storage;

import java.security.SecureRandom;
import java.util.HexFormat;

/** Application-generated keys, since the schema avoids vendor-specific sequences. */
public final class Ids {
    private static final SecureRandom RANDOM = new SecureRandom();
    /** The prefix of every host id; no token may be named like one. */
    public static final String HOST_PREFIX = "h";

    private Ids() {}

    /** A new id: {@code prefix} + '_' + 16 random hex digits, e.g. {@code h_3f9c0a1b2c3d4e5f}. */
    public static String next(String prefix) {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return prefix + "_" + HexFormat.of().formatHex(b);
    }

    /** A new secret of 32 random bytes (256 bits from SecureRandom) as hex, prefixed so it is recognisable in logs and files. */
    public static String secret(String prefix) {
        byte[] b = new byte[32];
        RANDOM.nextBytes(b);
        return prefix + "_" + HexFormat.of().formatHex(b);
    }
}
