package dev.klpfleet.server.patch;

import java.time.Instant;
import java.util.List;

/**
 * A patch in the catalog with its versions and, per version, the artifact for each kernel release.
 * {@code cves} are the union of its artifacts' signed-manifest CVEs; each artifact lists its own.
 */
public record PatchView(String name, String description, List<String> cves, Instant createdAt, List<Version> versions) {

    public record Version(String version, Instant createdAt, List<Artifact> artifacts) {}

    public record Artifact(String kernelRelease, String sha256, long sizeBytes, String module, String keyId, Instant uploadedAt,
                           List<String> cves) {}
}
