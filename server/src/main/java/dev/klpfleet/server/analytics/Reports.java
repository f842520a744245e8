package dev.klpfleet.server.analytics;

import java.util.List;

/** The documents of {@code /api/v1/analytics/*} and {@code klpfleet report} (docs/CLI.md). */
public final class Reports {
    private Reports() {}

    /**
     * A cause of stalled transitions: a patched function blocking tasks slept in, or a blocking
     * task's name, on one kernel release with one patch; {@code hosts} it stalled and {@code loads}
     * (apply or unload events) it stalled.
     */
    public record Cause(String kernelRelease, String patch, String name, long hosts, long loads) {}

    /** Top causes, most hosts first (then most loads, then name). */
    public record Stalls(List<Cause> functions, List<Cause> tasks) {}

    /** Nearest-rank percentiles of {@code n} values; all null when {@code n} is 0. */
    public record Distribution(long n, Long p50, Long p95, Long p99) {
        public static final Distribution EMPTY = new Distribution(0, null, null, null);
    }

    /**
     * What applying one patch cost the hosts of one kernel release, over its apply events:
     * ksoftirqd's longest run delay (ns, the larger of the insmod and transition phases), TCP
     * segments retransmitted (both phases summed), insmod CPU time (ms), transition time (ms).
     */
    public record Impact(String kernelRelease, String patch, long loads, Distribution ksoftirqdDelayNanos, Distribution tcpRetransmits,
                         Distribution insmodCpuMs, Distribution transitionMs) {}

    /**
     * How the apply events on one kernel release ended; every load is in exactly one of applied,
     * refused, stalled, failed ({@link Category}); {@code unknown} counts results this server does
     * not know (also in failed). Rates are of loads, 0 when there are none.
     */
    public record Failures(String kernelRelease, long loads, long hosts, long applied, long refused, long stalled, long failed, long unknown,
                           double stallRate, double failureRate) {}
}
