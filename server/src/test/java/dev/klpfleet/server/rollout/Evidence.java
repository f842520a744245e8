package dev.klpfleet.server.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import java.util.Map;

/**
 * Evidence for server tests: the documents the real agent code produced on real Debian kernels
 * ({@link RecordedEvidence}, protocol's test-jar), never invented fields.
 */
public final class Evidence {
    /** Results the VM tests recorded a document for, by the name of that recording. */
    private static final Map<String, String> RECORDED = Map.of("applied", "applied", "refused", "refused",
            "stalled-reverted", "stalled-reverted", "stalled-waiting", "stalled-waiting", "unloaded", "unloaded");

    private Evidence() {}

    /** The document recorded on kernel line {@code line} ({@code 6.1}, {@code 6.12}) as {@code name}. */
    public static JsonNode recorded(String line, String name) {
        return RecordedEvidence.load(line, name);
    }

    /**
     * An impact limit the recorded insmod's ksoftirqd delay is surely over: half of what the real
     * apply measured, so the gate trips whatever a re-recording on another day measures.
     */
    public static long ksoftirqdLimitBelow(JsonNode doc) {
        long measured = doc.path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asLong();
        if (measured < 2) {
            throw new AssertionError("the recording measured no ksoftirqd delay to set a limit under: " + doc.path("impact"));
        }
        return measured / 2;
    }

    /**
     * {@code doc} as the agent sends it for attempt {@code n} of a rollout's plan: the agent adds
     * {@code attempt.number} to the load result (agent {@code Events.apply}; its tests pin the shape).
     */
    public static JsonNode attempt(JsonNode doc, int n) {
        ObjectNode copy = doc.deepCopy();
        copy.putObject("attempt").put("number", n);
        return copy;
    }

    /**
     * The 6.1 recording of {@code result}; for a result no real kernel was made to produce (load-failed,
     * revert-stalled, rmmod-failed, one the server does not know) the recorded {@code applied} (or, for an
     * unload result, {@code unloaded}) document with only its {@code result} field changed.
     */
    public static JsonNode forResult(String result, boolean unload) {
        String name = RECORDED.get(result);
        if (name != null) {
            return recorded("6.1", name);
        }
        ObjectNode doc = (ObjectNode) recorded("6.1", unload ? "unloaded" : "applied").deepCopy();
        doc.put("result", result);
        return doc;
    }
}
