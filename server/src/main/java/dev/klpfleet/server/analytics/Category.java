package dev.klpfleet.server.analytics;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.UnloadResult;

/**
 * How the analytics count one apply or unload result: each result falls in exactly one bucket, so
 * the rates of a kernel release add up to its loads.
 */
public enum Category {
    /** The patch is in (apply) or out (unload) as asked. */
    APPLIED("applied"),
    /** Refused before the kernel was touched. */
    REFUSED("refused"),
    /** The transition stalled (reversed, still waiting, or the reversal stalled too). */
    STALLED("stalled"),
    /** Anything else that did not do what was asked, a result this build does not know included. */
    FAILED("failed");

    private final String wire;

    Category(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    public static Category of(ApplyResult r) {
        return switch (r) {
            case APPLIED -> APPLIED;
            case REFUSED -> REFUSED;
            case STALLED_REVERTED, STALLED_WAITING, REVERT_STALLED -> STALLED;
            // A host that went down after applying is the worst failure, and counted as one.
            case LOAD_FAILED, DISABLE_FAILED, RMMOD_FAILED, CRASH_SUSPECTED, UNKNOWN -> FAILED;
        };
    }

    public static Category of(UnloadResult r) {
        return switch (r) {
            case UNLOADED -> APPLIED;
            case STALLED_REVERTED, STALLED_WAITING, REVERT_STALLED -> STALLED;
            case DISABLE_FAILED, RMMOD_FAILED, UNKNOWN -> FAILED;
        };
    }
}
