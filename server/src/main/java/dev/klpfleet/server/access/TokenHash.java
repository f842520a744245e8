package dev.klpfleet.server.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The only form in which tokens are stored. Tokens are 256 random bits, so an unsalted
 * SHA-256 is as strong as a slow hash here and keeps the check-in hot path cheap.
 */
public final class TokenHash {
    /** One digest per thread: looking SHA-256 up in the providers costs more than hashing a token. */
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    private TokenHash() {}

    /** The lowercase hex SHA-256 of the token's UTF-8 bytes. */
    public static String of(String token) {
        return HEX.formatHex(SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
