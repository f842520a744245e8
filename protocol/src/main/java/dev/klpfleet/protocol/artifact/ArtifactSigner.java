package dev.klpfleet.protocol.artifact;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.Base64;

/** Signs a manifest together with its module's hash. */
public final class ArtifactSigner {
    private ArtifactSigner() {}

    /**
     * Signs {@link ArtifactSignature#signedMessage} of the manifest's bytes as they will be written
     * and the module's SHA-256.
     *
     * @param manifestBytes the exact bytes of {@code manifest.json} ({@link ManifestJson#toBytes})
     * @param moduleSha256  lowercase hex SHA-256 of the module file
     */
    public static ArtifactSignature sign(SigningKey key, byte[] manifestBytes, String moduleSha256) {
        String manifestSha256 = Sha256.hex(manifestBytes);
        try {
            Signature s = Signature.getInstance(ArtifactSignature.ALGORITHM);
            s.initSign(key.privateKey());
            s.update(ArtifactSignature.signedMessage(manifestSha256, moduleSha256));
            return new ArtifactSignature(ArtifactSignature.FORMAT, ArtifactSignature.ALGORITHM, key.keyId(),
                    manifestSha256, moduleSha256, Base64.getEncoder().encodeToString(s.sign()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 signing failed: " + e.getMessage(), e);
        }
    }
}
