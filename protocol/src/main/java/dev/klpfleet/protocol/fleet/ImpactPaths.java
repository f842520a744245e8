package dev.klpfleet.protocol.fleet;

import java.util.ArrayList;
import java.util.List;

/**
 * The numeric fields of an apply or unload event's {@code evidence.impact} object, as dotted paths
 * ({@code insmod.ksoftirqdMaxDelayNanos}): what a rollout's impact gate may limit. The agent writes
 * one object per phase ({@code kernel.load.Impact}), each with the components of
 * {@code kernel.impact.ImpactDelta}; protocol cannot see the kernel room, so the names are listed
 * here and a cli test checks them against those records.
 */
public final class ImpactPaths {
    /** The phases, in the order of {@code Impact}'s components. */
    public static final List<String> PHASES = List.of("insmod", "transition");

    /** The fields of one phase, in the order of {@code ImpactDelta}'s components ({@code elapsed} in milliseconds). */
    public static final List<String> FIELDS = List.of("elapsed", "ksoftirqdMaxDelayNanos", "ksoftirqdTotalDelayNanos",
            "retransSegs", "cpuSomeMicros", "ioSomeMicros", "ioFullMicros", "processCpuMillis");

    /** Every {@code PHASE.FIELD}. */
    public static final List<String> ALL = all();

    private ImpactPaths() {}

    /** True if {@code path} names a field of the impact object. */
    public static boolean valid(String path) {
        return ALL.contains(path);
    }

    /** The JSON pointer of {@code path} under the impact object, e.g. {@code /insmod/retransSegs}. */
    public static String pointer(String path) {
        return "/" + path.replace('.', '/');
    }

    private static List<String> all() {
        List<String> out = new ArrayList<>();
        for (String p : PHASES) {
            for (String f : FIELDS) {
                out.add(p + "." + f);
            }
        }
        return List.copyOf(out);
    }
}
