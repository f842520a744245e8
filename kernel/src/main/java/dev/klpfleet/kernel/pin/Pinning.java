package dev.klpfleet.kernel.pin;

import java.util.List;

/**
 * Where insmod ran and why, in the evidence ({@code impact.pinning}).
 *
 * <p>Before 5.17 an insmod resolving many symbols kept its CPU busy in the kernel without
 * {@code cond_resched} (kallsyms lookups), starving that CPU's ksoftirqd: the packets and I/O
 * completions queued there waited. Running insmod on the CPU that had the least of that work just
 * before leaves the busy ones alone.
 *
 * @param cpu          the CPU insmod was pinned to ({@code taskset -c}); null when it was not pinned
 * @param why          one line: how the CPU was chosen, or why insmod was not pinned
 * @param windowMillis how long the softirqs were counted before choosing; null when they were not
 * @param cpus         the CPUs of the counts below, from {@code /proc/softirqs}
 * @param before       per CPU, NET_RX+NET_TX+BLOCK softirqs in the window before insmod
 * @param during       per CPU, the same from the end of that window to the end of insmod
 * @param cpusAllowed  the insmod process's own {@code Cpus_allowed_list} ({@code /proc/PID/status}),
 *                     as read by the shell that became insmod: proof of where it could run; null when unpinned
 */
public record Pinning(Integer cpu, String why, Long windowMillis, List<Integer> cpus, List<Long> before, List<Long> during,
                      String cpusAllowed) {
    public Pinning {
        cpus = cpus == null ? List.of() : List.copyOf(cpus);
        before = before == null ? List.of() : List.copyOf(before);
        during = during == null ? List.of() : List.copyOf(during);
    }

    /** Not pinned, for {@code why}. */
    public static Pinning off(String why) {
        return new Pinning(null, why, null, List.of(), List.of(), List.of(), null);
    }
}
