package dev.klpfleet.kernel.load;

import java.time.Duration;

/**
 * @param stallTimeout how long a transition may run before it counts as stalled
 * @param onStall      what to do then
 * @param keepReplaced keep the modules of patches an atomic replace superseded (by default they are
 *                     removed: once replaced they can never be enabled again)
 */
public record LoadOptions(Duration stallTimeout, OnStall onStall, boolean keepReplaced) {
    /** kpatch waits 15 s and then another 60 s; 30 s bounds a fleet wave without cutting off slow hosts. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_STALL_TIMEOUT, OnStall.REVERSE, false);
    }
}
