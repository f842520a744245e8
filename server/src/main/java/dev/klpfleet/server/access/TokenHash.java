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
    private TokenHash() {}

    public static String of(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }
}
