package dev.klpfleet.kernel.load;

import java.time.Duration;

/**
 * @param stallTimeout   how long a transition may run before it counts as stalled
 * @param onStall        what to do then
 * @param keepReplaced   keep the modules of patches an atomic replace superseded (by default they are
 *                       removed: once replaced they can never be enabled again)
 * @param reverseTimeout how long the reversal of a stalled transition may take before it counts as
 *                       stalled too ({@link Result#REVERT_STALLED})
 * @param pinInsmod      run insmod on the CPU with the least softirq activity (see {@code InsmodPinning});
 *                       off: insmod runs wherever the scheduler puts it
 */
public record LoadOptions(Duration stallTimeout, OnStall onStall, boolean keepReplaced, Duration reverseTimeout, boolean pinInsmod) {
    /** kpatch waits 15 s and then another 60 s; 30 s bounds a fleet wave without cutting off slow hosts. */
    public static final Duration DEFAULT_STALL_TIMEOUT = Duration.ofSeconds(30);

    public LoadOptions {
        if (reverseTimeout == null || reverseTimeout.isNegative() || reverseTimeout.isZero()) {
            throw new IllegalArgumentException("the reverse timeout must be positive, got " + reverseTimeout);
        }
    }

    /** Reversal bounded by {@link PatchLoader#REVERSE_TIMEOUT}, insmod pinned. */
    public LoadOptions(Duration stallTimeout, OnStall onStall, boolean keepReplaced) {
        this(stallTimeout, onStall, keepReplaced, PatchLoader.REVERSE_TIMEOUT, true);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(DEFAULT_STALL_TIMEOUT, OnStall.REVERSE, false);
    }
}
