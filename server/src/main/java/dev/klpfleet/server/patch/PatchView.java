package dev.klpfleet.server.patch;

import java.time.Instant;
import java.util.List;

/** A patch in the catalog with its versions and, per version, the artifact for each kernel release. */
public record PatchView(String name, String description, List<String> cves, Instant createdAt, List<Version> versions) {

    public record Version(String version, Instant createdAt, List<Artifact> artifacts) {}

    public record Artifact(String kernelRelease, String sha256, long sizeBytes, String module, String keyId, Instant uploadedAt) {}
}
