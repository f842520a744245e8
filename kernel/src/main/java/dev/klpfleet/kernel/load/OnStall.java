package dev.klpfleet.kernel.load;

import java.util.Locale;

/** What to do when a transition is still running at the stall timeout. */
public enum OnStall {
    /** Reverse the transition (write the opposite to {@code enabled}), so the host returns to where it was. */
    REVERSE,
    /** Leave it running; the kernel keeps retrying, and since 5.1 signals blocked tasks about every 15 s. */
    WAIT;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
