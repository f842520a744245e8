package dev.klpfleet.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What went wrong with a host's kernel (the {@code result} of a {@code health} event). Every one is bad news. */
public enum HealthKind implements Outcome {
    /** The kernel log showed an oops or BUG. */
    OOPS("oops"),
    /** The host crashed (a boot found the previous one ended without shutdown). */
    CRASH("crash"),
    /** The kernel's taint mask gained a bad flag ({@link dev.klpfleet.protocol.fleet.BadTaint}). */
    TAINT("taint"),
    /** A health kind this build does not know: still bad health. */
    UNKNOWN("unknown");

    private final String wire;

    HealthKind(String wire) {
        this.wire = wire;
    }

    @Override
    @JsonValue
    public String wire() {
        return wire;
    }

    @Override
    public boolean unknown() {
        return this == UNKNOWN;
    }

    @Override
    public EventKind kind() {
        return EventKind.HEALTH;
    }

    /** The kind named {@code wire}; {@link #UNKNOWN} for any other value; null for null. */
    @JsonCreator
    public static HealthKind fromWire(String wire) {
        return Wire.lookup(HealthKind.class, wire, UNKNOWN);
    }

    @Override
    public String toString() {
        return wire;
    }
}
