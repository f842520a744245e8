package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.LoadedPatch;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** One host as operators see it. {@code loaded} and {@code taint} are from its latest check-in. */
public record HostView(String id, String hostname, String kernelRelease, String distro, Map<String, String> labels,
                       List<String> capabilities, List<LoadedPatch> loaded, Long taint, Instant enrolledAt, Instant lastSeenAt) {}
