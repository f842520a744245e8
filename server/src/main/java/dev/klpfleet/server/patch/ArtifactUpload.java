package dev.klpfleet.server.patch;

import java.util.List;

/**
 * One build output for one kernel release, as uploaded: the three files' exact bytes in base64
 * (the signature covers bytes, so nothing is re-encoded), plus the patch's catalog entry, used
 * when the patch is new.
 */
public record ArtifactUpload(String manifest, String signature, String module, String description, List<String> cves) {}
