package dev.klpfleet.protocol.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One outcome a host reports. Sending the same {@code eventId} twice records it once.
 *
 * @param kind     {@code apply}, {@code unload} or {@code health}
 * @param result   for apply: {@code applied}, {@code refused}, {@code load-failed}, {@code stalled-reverted},
 *                 {@code stalled-waiting}, {@code revert-stalled}; for unload: {@code unloaded}, {@code unload-failed};
 *                 for health: {@code oops}, {@code crash}, {@code taint}
 * @param evidence the JSON {@code klpfleet kernel load --json} printed (result, patch, timings, blockers,
 *                 kernelLog, impact), stored as given
 */
public record HostEvent(String eventId, String kind, String patch, String version, String result, Instant occurredAt,
                        JsonNode evidence) {}
