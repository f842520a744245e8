package dev.klpfleet.protocol.fleet;

/**
 * The manifest and signature an artifact was uploaded with, as served to agents by
 * {@code GET /api/v1/artifacts/{sha256}/manifest}. Both are base64 of the files' exact bytes: the
 * signature covers bytes, so nothing is re-encoded. An agent verifies them against the fleet's
 * public key itself, trusting the server for nothing but delivery.
 *
 * @param manifest  base64 of {@code manifest.json}
 * @param signature base64 of {@code manifest.sig}
 */
public record SignedManifest(String manifest, String signature) {}
