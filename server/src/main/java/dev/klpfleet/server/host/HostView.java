package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.LoadedPatch;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One host as operators see it. {@code labels} are binding (set by its enrollment token; rollouts
 * select on them); {@code hostLabels} are what the host claimed when it enrolled, kept apart.
 * {@code loaded} and {@code taint} are from its latest check-in; {@code revokedAt} is set once its
 * credential is revoked.
 */
public record HostView(String id, String hostname, String kernelRelease, String distro, Map<String, String> labels,
                       Map<String, String> hostLabels, List<String> capabilities, List<LoadedPatch> loaded, Long taint,
                       Instant enrolledAt, Instant lastSeenAt, Instant revokedAt) {}
