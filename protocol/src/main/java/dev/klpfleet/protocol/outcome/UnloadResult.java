package dev.klpfleet.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How removing a patch from a host ended (the {@code result} of an {@code unload} event). */
public enum UnloadResult implements Outcome {
    /** The patch is disabled and its module removed; also when it was not loaded at all. */
    UNLOADED("unloaded"),
    /** The unpatching transition stalled and was reversed: the patch is enabled again and stays applied. */
    STALLED_REVERTED("stalled-reverted"),
    /** The unpatching transition stalled and, as asked, is still in progress. */
    STALLED_WAITING("stalled-waiting"),
    /** Unpatching stalled and so did re-enabling it: the patch is half in, a human must look. */
    REVERT_STALLED("revert-stalled"),
    /** Writing 0 to the patch's {@code enabled} file failed; it stays applied. */
    DISABLE_FAILED("disable-failed"),
    /** The patch is disabled but its module could not be removed; it stays loaded, inert. */
    RMMOD_FAILED("rmmod-failed"),
    /** A result this build does not know: counted as a failure. */
    UNKNOWN("unknown");

    private final String wire;

    UnloadResult(String wire) {
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
        return EventKind.UNLOAD;
    }

    /** The result named {@code wire}; {@link #UNKNOWN} for any other value; null for null. */
    @JsonCreator
    public static UnloadResult fromWire(String wire) {
        return Wire.lookup(UnloadResult.class, wire, UNKNOWN);
    }

    @Override
    public String toString() {
        return wire;
    }
}
