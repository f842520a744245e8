package dev.klpfleet.protocol.artifact;

/** The outcome of verifying one artifact (manifest + signature + module). */
public sealed interface Verification {

    /** Signed by the trusted key, and neither file changed since. */
    record Verified(BuildManifest manifest, String keyId) implements Verification {}

    /** Not accepted; {@code detail} is one sentence naming what is wrong. */
    record Refused(Reason reason, String detail) implements Verification {}

    enum Reason {
        /** The signature file is missing fields, not JSON, or not Ed25519. */
        SIGNATURE_MALFORMED,
        /** Signed, but by a key other than the trusted one. */
        UNTRUSTED_KEY,
        /** The manifest's bytes differ from those that were signed. */
        MANIFEST_TAMPERED,
        /** The manifest's bytes are signed but are not a manifest of this format. */
        MANIFEST_MALFORMED,
        /** The module's hash or size differs from the signed manifest. */
        MODULE_TAMPERED,
        /** The Ed25519 signature does not verify: the signature or its recorded hashes were altered. */
        SIGNATURE_INVALID
    }

    default boolean verified() {
        return this instanceof Verified;
    }
}
