package dev.klpfleet.server.patch;

import java.util.List;

/**
 * One build output for one kernel release, as uploaded: the three files' exact bytes in base64
 * (the signature covers bytes, so nothing is re-encoded), plus the patch's catalog entry, used
 * when the patch is new. {@code cves} must be absent or empty: the CVEs a build fixes are read only
 * from its signed manifest, and an upload naming any is refused (they could be added after signing).
 */
public record ArtifactUpload(String manifest, String signature, String module, String description, List<String> cves) {}
