package dev.klpfleet.protocol.artifact;

import dev.klpfleet.protocol.artifact.Verification.Reason;
import dev.klpfleet.protocol.artifact.Verification.Refused;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * Decides whether an artifact was signed by a trusted key and is unchanged since. The
 * Ed25519 check over freshly computed hashes is what accepts an artifact; the hashes recorded in
 * the signature file only sharpen the reason given for a refusal.
 */
public final class ArtifactVerifier {
    private ArtifactVerifier() {}

    /**
     * @param trusted        the only public key whose signatures are accepted
     * @param manifestBytes  the manifest file's bytes, unparsed
     * @param signatureBytes the signature file's bytes
     * @param moduleSha256   lowercase hex SHA-256 of the module file, computed by the caller
     * @param moduleSize     the module file's size in bytes
     */
    public static Verification verify(PublicKey trusted, byte[] manifestBytes, byte[] signatureBytes,
                                      String moduleSha256, long moduleSize) {
        ArtifactSignature sig;
        try {
            sig = ArtifactSignature.fromBytes(signatureBytes);
        } catch (MalformedArtifactException e) {
            return new Refused(Reason.SIGNATURE_MALFORMED, e.getMessage());
        }
        String trustedId = SigningKeys.keyId(trusted);
        if (!trustedId.equals(sig.keyId())) {
            return new Refused(Reason.UNTRUSTED_KEY, "signed by key " + sig.keyId() + ", trusted key is " + trustedId);
        }
        String manifestSha256 = Sha256.hex(manifestBytes);
        if (!manifestSha256.equals(sig.manifestSha256())) {
            return new Refused(Reason.MANIFEST_TAMPERED, "manifest sha256 is " + manifestSha256 + ", signed " + sig.manifestSha256());
        }
        boolean valid;
        try {
            Signature s = Signature.getInstance(ArtifactSignature.ALGORITHM);
            s.initVerify(trusted);
            s.update(ArtifactSignature.signedMessage(manifestSha256, sig.moduleSha256()));
            valid = s.verify(Base64.getDecoder().decode(sig.signature()));
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            // A signature of the wrong length or bad base64 is a forged or damaged signature, not an I/O fault.
            valid = false;
        }
        if (!valid) {
            return new Refused(Reason.SIGNATURE_INVALID, "Ed25519 signature does not verify with key " + trustedId);
        }
        BuildManifest manifest;
        try {
            manifest = ManifestJson.fromBytes(manifestBytes);
        } catch (MalformedArtifactException e) {
            return new Refused(Reason.MANIFEST_MALFORMED, e.getMessage());
        }
        if (!moduleSha256.equals(sig.moduleSha256()) || !moduleSha256.equals(manifest.sha256())) {
            return new Refused(Reason.MODULE_TAMPERED, "module sha256 is " + moduleSha256 + ", signed " + manifest.sha256());
        }
        if (moduleSize != manifest.size()) {
            return new Refused(Reason.MODULE_TAMPERED, "module is " + moduleSize + " bytes, signed " + manifest.size());
        }
        return new Verification.Verified(manifest, trustedId);
    }
}
