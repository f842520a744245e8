package dev.klpfleet.kernel.impact;

/**
 * Scheduler run delay of one {@code ksoftirqd/N} thread: how long it has waited runnable on a run
 * queue since boot. A livepatch load that hogs a CPU shows up as a jump here before it shows up
 * as TCP retransmits.
 *
 * @param cpu the N in {@code ksoftirqd/N}
 * @param pid thread id
 * @param runDelayNanos second field of {@code /proc/PID/schedstat} (needs CONFIG_SCHED_INFO)
 */
public record KsoftirqdDelay(int cpu, int pid, long runDelayNanos) {}
