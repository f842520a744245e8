package dev.klpfleet.protocol.outcome;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** How loading a patch on a host ended (the {@code result} of an {@code apply} event). */
public enum ApplyResult implements Outcome {
    /** Every task runs the new code; also when it already did. */
    APPLIED("applied"),
    /** Refused before the kernel was touched (preflight, or the artifact failed verification). */
    REFUSED("refused"),
    /** insmod failed; nothing is left loaded. */
    LOAD_FAILED("load-failed"),
    /** The transition stalled and was reversed; the module is gone, the kernel is as before. */
    STALLED_REVERTED("stalled-reverted"),
    /** The transition stalled and, as asked, is still in progress. */
    STALLED_WAITING("stalled-waiting"),
    /** The reversal of a stalled transition itself stalled: the patch is half in, a human must look. */
    REVERT_STALLED("revert-stalled"),
    /** Writing to the patch's {@code enabled} file failed while backing out; the patch is still loaded. */
    DISABLE_FAILED("disable-failed"),
    /** The patch was backed out (disabled) but its module could not be removed; it stays loaded, inert. */
    RMMOD_FAILED("rmmod-failed"),
    /**
     * Reported by the agent after a boot, not by a load: the previous boot ended while this patch's
     * load was in progress, or within the agent's crash window after it applied. The agent does not
     * load it again on its own until an operator clears it; counted as a failure.
     */
    CRASH_SUSPECTED("crash-suspected"),
    /** A result this build does not know: counted as a failure. */
    UNKNOWN("unknown");

    private final String wire;

    ApplyResult(String wire) {
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
        return EventKind.APPLY;
    }

    /** The result named {@code wire}; {@link #UNKNOWN} for any other value; null for null. */
    @JsonCreator
    public static ApplyResult fromWire(String wire) {
        return Wire.lookup(ApplyResult.class, wire, UNKNOWN);
    }

    @Override
    public String toString() {
        return wire;
    }
}
