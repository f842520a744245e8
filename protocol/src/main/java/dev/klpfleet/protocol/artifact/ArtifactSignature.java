package dev.klpfleet.protocol.artifact;

/**
 * {@code manifest.sig}: an Ed25519 signature over {@link #signedMessage(String, String)} of a
 * manifest and its module. The hash fields repeat what was signed so a verifier can say which
 * file changed; the signature alone decides whether the artifact is accepted.
 *
 * @param format         always {@link #FORMAT}
 * @param algorithm      always {@code Ed25519}
 * @param keyId          {@link SigningKeys#keyId} of the signing key's public half
 * @param manifestSha256 SHA-256 of the manifest file's bytes at signing time
 * @param moduleSha256   SHA-256 of the module file at signing time
 * @param signature      base64 (RFC 4648, with padding) of the 64-byte Ed25519 signature
 */
public record ArtifactSignature(
        String format, String algorithm, String keyId, String manifestSha256, String moduleSha256, String signature) {

    public static final String FORMAT = "klpfleet-signature-v1";
    public static final String ALGORITHM = "Ed25519";

    /**
     * The exact bytes signed: three ASCII lines, so the signature binds the manifest and the
     * module hash and cannot be replayed for another format.
     */
    public static byte[] signedMessage(String manifestSha256, String moduleSha256) {
        return ("klpfleet-artifact-v1\nmanifest-sha256:" + manifestSha256 + "\nmodule-sha256:" + moduleSha256 + "\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    public byte[] toBytes() {
        return ArtifactJson.write(this);
    }

    /** @throws MalformedArtifactException if the bytes are not a {@value #FORMAT} signature */
    public static ArtifactSignature fromBytes(byte[] bytes) {
        ArtifactSignature s = ArtifactJson.read(bytes, ArtifactSignature.class, "signature");
        if (!FORMAT.equals(s.format())) {
            throw new MalformedArtifactException("signature format is '" + s.format() + "', expected " + FORMAT);
        }
        if (!ALGORITHM.equals(s.algorithm())) {
            throw new MalformedArtifactException("signature algorithm is '" + s.algorithm() + "', only Ed25519 is accepted");
        }
        if (s.keyId() == null || s.manifestSha256() == null || s.moduleSha256() == null || s.signature() == null) {
            throw new MalformedArtifactException("signature lacks keyId, manifestSha256, moduleSha256 or signature");
        }
        return s;
    }
}
