package dev.klpfleet.protocol.artifact;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 key files in PEM, readable by OpenSSL: a public key file holds one
 * {@code PUBLIC KEY} block (X.509 SubjectPublicKeyInfo); a private key file holds a
 * {@code PRIVATE KEY} block (PKCS#8) followed by the matching {@code PUBLIC KEY} block,
 * because the JDK cannot derive an Ed25519 public key from a PKCS#8 private key and a
 * signature must name its key.
 */
public final class SigningKeys {
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN ([A-Z ]+)-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1-----");

    private SigningKeys() {}

    /** A fresh Ed25519 key pair from the JDK's default secure random source. */
    public static SigningKey generate() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new SigningKey(kp.getPrivate(), kp.getPublic());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java 17 runtime has Ed25519", e);
        }
    }

    /**
     * The key's short stable name: the first 16 hex digits of the SHA-256 of its X.509 encoding
     * (the same bytes as {@code openssl pkey -pubin -outform DER}).
     */
    public static String keyId(PublicKey key) {
        return Sha256.hex(key.getEncoded()).substring(0, 16);
    }

    public static String publicPem(PublicKey key) {
        return pem("PUBLIC KEY", key.getEncoded());
    }

    public static String privatePem(SigningKey key) {
        return pem("PRIVATE KEY", key.privateKey().getEncoded()) + publicPem(key.publicKey());
    }

    /** @throws MalformedArtifactException if the text holds no Ed25519 {@code PUBLIC KEY} block */
    public static PublicKey readPublic(String pemText) {
        byte[] der = block(pemText, "PUBLIC KEY");
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MalformedArtifactException("PUBLIC KEY block is not an Ed25519 public key", e);
        }
    }

    /** @throws MalformedArtifactException if the text lacks either Ed25519 block */
    public static SigningKey readPrivate(String pemText) {
        byte[] der = block(pemText, "PRIVATE KEY");
        PrivateKey priv;
        try {
            priv = KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new MalformedArtifactException("PRIVATE KEY block is not an Ed25519 private key", e);
        }
        return new SigningKey(priv, readPublic(pemText));
    }

    private static byte[] block(String pemText, String type) {
        Matcher m = PEM.matcher(pemText);
        while (m.find()) {
            if (m.group(1).equals(type)) {
                try {
                    return Base64.getMimeDecoder().decode(m.group(2));
                } catch (IllegalArgumentException e) {
                    throw new MalformedArtifactException(type + " block is not valid base64", e);
                }
            }
        }
        throw new MalformedArtifactException("no '" + type + "' PEM block");
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }
}
