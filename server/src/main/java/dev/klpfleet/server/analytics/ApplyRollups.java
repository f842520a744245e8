package dev.klpfleet.server.analytics;

import java.util.Map;
import org.jdbi.v3.core.Handle;

/**
 * Adds one apply event to the counters the failures and impact reports read ({@code apply_tally},
 * {@code apply_hosts}, {@code impact_buckets}, {@code impact_extremes}), inside the transaction that
 * records it. Rows are touched in one fixed order (tally, hosts, then each metric in enum order), so
 * two transactions adding events of the same kernel release and patch on PostgreSQL wait for each
 * other instead of deadlocking.
 */
final class ApplyRollups {
    private ApplyRollups() {}

    static void add(Handle h, String kernel, String patch, String hostId, String result, Category category, Map<ImpactMetric, Long> figures) {
        h.createUpdate("INSERT INTO apply_tally (kernel_release, patch_name, result, category, loads) VALUES (:kr, :p, :r, :c, 1) "
                        + "ON CONFLICT (kernel_release, patch_name, result) DO UPDATE SET loads = apply_tally.loads + 1")
                .bind("kr", kernel).bind("p", patch).bind("r", result).bind("c", category.wire()).execute();
        h.createUpdate("INSERT INTO apply_hosts (kernel_release, patch_name, host_id) VALUES (:kr, :p, :h) ON CONFLICT DO NOTHING")
                .bind("kr", kernel).bind("p", patch).bind("h", hostId).execute();
        for (ImpactMetric m : ImpactMetric.values()) {
            Long v = figures.get(m);
            if (v != null) {
                addFigure(h, m, kernel, patch, ImpactHistogram.bucket(v), 1, v, v);
            }
        }
    }

    /** Adds {@code n} figures of one bucket, the smallest {@code min} and the largest {@code max}. */
    static void addFigure(Handle h, ImpactMetric m, String kernel, String patch, int bucket, long n, long min, long max) {
        h.createUpdate("INSERT INTO impact_buckets (metric, kernel_release, patch_name, bucket, n) VALUES (:m, :kr, :p, :b, :n) "
                        + "ON CONFLICT (metric, kernel_release, patch_name, bucket) DO UPDATE SET n = impact_buckets.n + excluded.n")
                .bind("m", m.column()).bind("kr", kernel).bind("p", patch).bind("b", bucket).bind("n", n).execute();
        h.createUpdate("INSERT INTO impact_extremes (metric, kernel_release, patch_name, n, min_v, max_v) VALUES (:m, :kr, :p, :n, :lo, :hi) "
                        + "ON CONFLICT (metric, kernel_release, patch_name) DO UPDATE SET n = impact_extremes.n + excluded.n, "
                        + "min_v = CASE WHEN excluded.min_v < impact_extremes.min_v THEN excluded.min_v ELSE impact_extremes.min_v END, "
                        + "max_v = CASE WHEN excluded.max_v > impact_extremes.max_v THEN excluded.max_v ELSE impact_extremes.max_v END")
                .bind("m", m.column()).bind("kr", kernel).bind("p", patch).bind("n", n).bind("lo", min).bind("hi", max).execute();
    }
}
