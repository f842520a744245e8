package dev.klpfleet.server.rollout.core;

import java.time.Instant;
import java.util.List;

/** One thing the rollout engine or an operator decided, with why and which hosts it touched. */
public record Decision(Instant at, Kind kind, String reason, String actor, int wave, List<String> hosts) {
    public enum Kind {
        DISPATCH, SOAK_STARTED, WAVE_STARTED, WAVE_SKIPPED, GATE_TRIPPED, PAUSED, RESUMED, ABORTED, PROMOTED,
        ROLLBACK, COMPLETED,
        /** A host reported that unloading the patch failed; it is ROLLBACK_FAILED until it reports unloaded. */
        ROLLBACK_FAILED,
        /** Hosts whose transition stalled and was reversed get another attempt of their plan; names them, each with its next attempt and when. */
        RETRY_SCHEDULED,
        /** Stepping the rollout threw; it is paused (if it was running) with the error as its reason. */
        ENGINE_ERROR
    }

    /** The actor of decisions the engine takes by itself. */
    public static final String ENGINE = "engine";
}
