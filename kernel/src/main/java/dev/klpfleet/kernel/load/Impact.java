package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.pin.Pinning;

/**
 * What applying (or removing) a patch cost the host, phase by phase: the signals of Meta's
 * apply-time regression (before 5.17 an insmod resolving many symbols hogged a CPU and starved its
 * ksoftirqd: TCP retransmits, I/O latency). Each phase carries its own elapsed time, so a run delay
 * can be read as a share of it.
 *
 * @param insmod     from just before insmod (or the write to {@code enabled}) to its end
 * @param transition from there to the end of the transition and of any stall handling
 * @param pinning    which CPU insmod ran on and the softirq figures it was chosen by; null for an unload
 */
public record Impact(ImpactDelta insmod, ImpactDelta transition, Pinning pinning) {
    public Impact(ImpactDelta insmod, ImpactDelta transition) {
        this(insmod, transition, null);
    }
}
