package dev.klpfleet.server.access;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The only form in which tokens are stored: HMAC-SHA256 keyed with the server's token-hash key
 * ({@link TokenHashKey}), so a copy of the database alone does not allow guessing a token offline.
 * Tokens are 256 random bits, so one keyed hash is as strong as a slow hash here and keeps the
 * check-in hot path cheap.
 */
public final class TokenHash {
    /** The stored {@code hash_kind} of rows hashed here. */
    public static final String HMAC = "hmac";
    /** The stored {@code hash_kind} of rows from before keyed hashes (plain SHA-256, no key). */
    public static final String LEGACY = "sha256";

    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    });
    private static final HexFormat HEX = HexFormat.of();

    private final SecretKeySpec key;
    /** One Mac per thread: looking HMAC up in the providers costs more than hashing a token. */
    private final ThreadLocal<Mac> mac;

    public TokenHash(byte[] key) {
        this.key = new SecretKeySpec(key.clone(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(this::newMac);
    }

    private Mac newMac() {
        try {
            Mac m = Mac.getInstance("HmacSHA256");
            m.init(key);
            return m;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is required of every JVM", e);
        }
    }

    /** The lowercase hex HMAC-SHA256 of the token's UTF-8 bytes. */
    public String of(String token) {
        return HEX.formatHex(mac.get().doFinal(token.getBytes(StandardCharsets.UTF_8)));
    }

    /** The lowercase hex plain SHA-256 of a token, as rows from before keyed hashes store it. */
    public static String legacy(String token) {
        return HEX.formatHex(SHA256.get().digest(token.getBytes(StandardCharsets.UTF_8)));
    }
}
