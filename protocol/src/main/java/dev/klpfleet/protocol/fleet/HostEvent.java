package dev.klpfleet.protocol.fleet;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.Outcome;
import java.time.Instant;

/**
 * One outcome a host reports. Sending the same {@code eventId} twice records it once.
 *
 * <p>On the wire {@code kind} and {@code result} are their vocabularies' wire names. A result the
 * reader does not know becomes its kind's {@code UNKNOWN} (the raw value stays in {@code evidence},
 * which is stored as sent); a missing result, or a kind the reader does not know, is null /
 * {@link EventKind#UNKNOWN} and the server refuses the event.
 *
 * @param kind     apply, unload or health
 * @param result   an {@link dev.klpfleet.protocol.outcome.ApplyResult}, {@link dev.klpfleet.protocol.outcome.UnloadResult}
 *                 or {@link dev.klpfleet.protocol.outcome.HealthKind}, matching {@code kind}
 * @param evidence for apply and unload the JSON {@code klpfleet kernel load --json} printed (result, patch, timings,
 *                 blockers, kernelLog, impact); for health what was seen; stored as given
 */
public record HostEvent(String eventId, EventKind kind, String patch, String version, Outcome result, Instant occurredAt,
                        JsonNode evidence) {

    /** Reads the wire form: the result is looked up in the vocabulary of the event's kind. */
    @JsonCreator
    public static HostEvent fromWire(@JsonProperty("eventId") String eventId, @JsonProperty("kind") String kind,
                                     @JsonProperty("patch") String patch, @JsonProperty("version") String version,
                                     @JsonProperty("result") String result, @JsonProperty("occurredAt") Instant occurredAt,
                                     @JsonProperty("evidence") JsonNode evidence) {
        EventKind k = EventKind.fromWire(kind);
        return new HostEvent(eventId, k, patch, version, k == null ? null : k.result(result), occurredAt, evidence);
    }

    public HostEvent {
        if (result != null && kind != null && result.kind() != kind) {
            throw new IllegalArgumentException("a " + kind + " event cannot have result " + result.wire()
                    + " (a " + result.kind() + " result)");
        }
    }
}
