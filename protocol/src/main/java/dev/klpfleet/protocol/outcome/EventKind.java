package dev.klpfleet.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a host event is about; each kind has its own result vocabulary. A kind this build does not
 * know reads as {@link #UNKNOWN} and such an event is refused (its results could not be interpreted).
 */
public enum EventKind {
    /** A patch was loaded (or refused, or its transition stalled): result is an {@link ApplyResult}. */
    APPLY("apply"),
    /** A patch was disabled and removed (or not): result is an {@link UnloadResult}. */
    UNLOAD("unload"),
    /** The host's kernel got sick: result is a {@link HealthKind}. */
    HEALTH("health"),
    UNKNOWN("unknown");

    private final String wire;

    EventKind(String wire) {
        this.wire = wire;
    }

    @JsonValue
    public String wire() {
        return wire;
    }

    /** The kind named {@code wire}; {@link #UNKNOWN} for any other value; null for null. */
    @JsonCreator
    public static EventKind fromWire(String wire) {
        return Wire.lookup(EventKind.class, wire, UNKNOWN);
    }

    /**
     * The result named {@code wire} in this kind's vocabulary: its {@code UNKNOWN} constant for a
     * value it does not name, null for null or for an unknown kind.
     */
    public Outcome result(String wire) {
        if (wire == null) {
            return null;
        }
        return switch (this) {
            case APPLY -> ApplyResult.fromWire(wire);
            case UNLOAD -> UnloadResult.fromWire(wire);
            case HEALTH -> HealthKind.fromWire(wire);
            case UNKNOWN -> null;
        };
    }

    @Override
    public String toString() {
        return wire;
    }
}
