package dev.klpfleet.server.rollout.core;

import java.time.Instant;
import java.util.List;

/** One thing the rollout engine or an operator decided, with why and which hosts it touched. */
public record Decision(Instant at, Kind kind, String reason, String actor, int wave, List<String> hosts) {
    public enum Kind {
        DISPATCH, SOAK_STARTED, WAVE_STARTED, WAVE_SKIPPED, GATE_TRIPPED, PAUSED, RESUMED, ABORTED, PROMOTED,
        ROLLBACK, COMPLETED
    }

    /** The actor of decisions the engine takes by itself. */
    public static final String ENGINE = "engine";
}
