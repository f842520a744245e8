package dev.klpfleet.cli.fleet;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;

/**
 * CPU time (user and system) the server's HTTP threads have used, so the benchmark can report the
 * server's cost per request apart from the load generator's and from other work on a shared machine.
 */
final class ServerCpu {
    /** Jetty's pool threads, selectors and acceptors included, carry this name prefix (FleetServer). */
    static final String HTTP_THREADS = "klpfleet-http";

    private ServerCpu() {}

    /** Sum of the CPU nanoseconds of every live server HTTP thread. */
    static long nanos() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (ThreadInfo t : mx.getThreadInfo(mx.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith(HTTP_THREADS)) {
                long ns = mx.getThreadCpuTime(t.getThreadId());
                sum += Math.max(0, ns);
            }
        }
        return sum;
    }
}
