package dev.klpfleet.protocol.artifact;

import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.Objects;

/** An Ed25519 private key with its public half, as read from a private key file. */
public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {
    public SigningKey {
        Objects.requireNonNull(privateKey, "privateKey");
        Objects.requireNonNull(publicKey, "publicKey");
    }

    public String keyId() {
        return SigningKeys.keyId(publicKey);
    }

    @Override
    public String toString() {
        return "SigningKey[" + keyId() + "]"; // never the private bytes
    }
}
