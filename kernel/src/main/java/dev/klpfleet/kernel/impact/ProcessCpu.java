package dev.klpfleet.kernel.impact;

/**
 * CPU time a process has used, from {@code /proc/PID/stat} fields 14 (utime) and 15 (stime).
 *
 * @param pid process id
 * @param userTicks utime in clock ticks
 * @param systemTicks stime in clock ticks
 */
public record ProcessCpu(int pid, long userTicks, long systemTicks) {

    /**
     * USER_HZ, the unit of {@code /proc/PID/stat} times. It is 100 on x86 and arm64 regardless of
     * the kernel's CONFIG_HZ (the ABI fixes it; sysconf(_SC_CLK_TCK) returns it).
     */
    public static final long USER_HZ = 100;

    /** utime + stime in milliseconds. */
    public long cpuMillis() {
        return (userTicks + systemTicks) * 1000 / USER_HZ;
    }
}
