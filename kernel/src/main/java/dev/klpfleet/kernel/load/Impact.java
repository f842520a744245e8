package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.impact.ImpactDelta;

/**
 * What applying (or removing) a patch cost the host, phase by phase: the signals of Meta's
 * apply-time regression (before 5.17 an insmod resolving many symbols hogged a CPU and starved its
 * ksoftirqd: TCP retransmits, I/O latency). Each phase carries its own elapsed time, so a run delay
 * can be read as a share of it.
 *
 * @param insmod     from just before insmod (or the write to {@code enabled}) to its end
 * @param transition from there to the end of the transition and of any stall handling
 */
public record Impact(ImpactDelta insmod, ImpactDelta transition) {
}
