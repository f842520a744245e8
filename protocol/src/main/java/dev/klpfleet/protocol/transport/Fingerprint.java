package dev.klpfleet.protocol.transport;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;

/**
 * The SHA-256 of a certificate's DER encoding, written {@code SHA256:AB:CD:…} (as {@code openssl x509
 * -fingerprint -sha256} prints it, with the algorithm named first). Parsing accepts the same hex with or
 * without colons, in either case, with or without the {@code SHA256:} prefix.
 */
public record Fingerprint(byte[] sha256) {
    public Fingerprint {
        if (sha256.length != 32) {
            throw new IllegalArgumentException("a SHA-256 fingerprint has 32 bytes, got " + sha256.length);
        }
        sha256 = sha256.clone();
    }

    public static Fingerprint parse(String text) {
        String t = text.strip();
        if (t.regionMatches(true, 0, "SHA256:", 0, 7)) {
            t = t.substring(7);
        } else if (t.regionMatches(true, 0, "sha256/", 0, 7)) {
            t = t.substring(7);
        }
        String hex = t.replace(":", "").toLowerCase(Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new ServerTrust.Refused("server fingerprint must be the 64 hex digits of a SHA-256 (SHA256:AB:CD:...), got '" + text + "'");
        }
        return new Fingerprint(HexFormat.of().parseHex(hex));
    }

    public static Fingerprint of(X509Certificate cert) {
        try {
            return new Fingerprint(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint a certificate: " + e.getMessage(), e);
        }
    }

    public boolean matches(X509Certificate cert) {
        return MessageDigest.isEqual(sha256, of(cert).sha256);
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Fingerprint f && MessageDigest.isEqual(sha256, f.sha256);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(sha256);
    }

    @Override
    public String toString() {
        return "SHA256:" + HexFormat.ofDelimiter(":").withUpperCase().formatHex(sha256);
    }
}
