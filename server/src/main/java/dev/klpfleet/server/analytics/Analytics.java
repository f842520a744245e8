package dev.klpfleet.server.analytics;

import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet analytics. Stall causes are one aggregate query over the narrow {@code event_blockers}
 * rows; failures and impact read counters kept as apply events arrive ({@link ApplyRollups}), so
 * their cost follows the number of kernel releases, patches and histogram buckets, not of events.
 * The same SQL on SQLite and PostgreSQL; only groups travel to the JVM, never the events.
 */
public final class Analytics {
    /** Most causes one stalls report lists per ranking. */
    public static final int MAX_LIMIT = 500;
    public static final int DEFAULT_LIMIT = 20;
    private static final int[] PERCENTILES = {50, 95, 99};

    private final Database db;

    public Analytics(Database db) {
        this.db = db;
    }

    /** The top {@code limit} blocking functions and blocking task names, per kernel release and patch. */
    public Reports.Stalls stalls(Filter f, int limit) {
        return db.withHandle(h -> new Reports.Stalls(causes(h, "func", f, limit), causes(h, "comm", f, limit)));
    }

    private static List<Reports.Cause> causes(org.jdbi.v3.core.Handle h, String column, Filter f, int limit) {
        return f.bind(h.createQuery("SELECT kernel_release, patch_name, " + column + " AS name, COUNT(DISTINCT host_id) AS hosts, "
                        + "COUNT(DISTINCT host_id || ' ' || event_id) AS loads FROM event_blockers WHERE 1 = 1" + f.sql()
                        + " GROUP BY kernel_release, patch_name, " + column + " ORDER BY hosts DESC, loads DESC, name, kernel_release, patch_name "
                        + "LIMIT :limit"))
                .bind("limit", limit)
                .map((rs, ctx) -> new Reports.Cause(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getLong(5))).list();
    }

    /**
     * Impact distributions of apply events per kernel release and patch, ordered by kernel release
     * then patch, read from the counters kept as events arrive ({@link ApplyRollups}): the cost
     * follows the number of groups and buckets, not of events.
     */
    public List<Reports.Impact> impact(Filter f) {
        return db.withHandle(h -> {
            Map<List<String>, Long> loads = new LinkedHashMap<>();
            f.bind(h.createQuery("SELECT kernel_release, patch_name, SUM(loads) FROM apply_tally WHERE 1 = 1" + f.sql()
                            + " GROUP BY kernel_release, patch_name ORDER BY kernel_release, patch_name"))
                    .map((rs, ctx) -> Map.entry(List.of(rs.getString(1), rs.getString(2)), rs.getLong(3)))
                    .forEach(e -> loads.put(e.getKey(), e.getValue()));
            Map<ImpactMetric, Map<List<String>, Reports.Distribution>> d = percentiles(h, f);
            List<Reports.Impact> out = new ArrayList<>();
            loads.forEach((k, n) -> out.add(new Reports.Impact(k.get(0), k.get(1), n, of(d, ImpactMetric.KSOFTIRQD_DELAY_NS, k),
                    of(d, ImpactMetric.RETRANS_SEGS, k), of(d, ImpactMetric.INSMOD_CPU_MS, k), of(d, ImpactMetric.TRANSITION_MS, k))));
            return out;
        });
    }

    private static Reports.Distribution of(Map<ImpactMetric, Map<List<String>, Reports.Distribution>> d, ImpactMetric m, List<String> key) {
        return d.getOrDefault(m, Map.of()).getOrDefault(key, Reports.Distribution.EMPTY);
    }

    /**
     * Nearest-rank p50/p95/p99 of each metric per (kernel release, patch): the value at rank
     * ceil(p/100 × n) of the group's n figures in ascending order, read from its histogram
     * ({@link ImpactHistogram}: the rank's bucket's upper bound clamped to the group's exact
     * extremes, never below the true value and at most 1/64 above it).
     */
    private static Map<ImpactMetric, Map<List<String>, Reports.Distribution>> percentiles(org.jdbi.v3.core.Handle h, Filter f) {
        Map<List<String>, long[]> extremes = new HashMap<>();
        f.bind(h.createQuery("SELECT metric, kernel_release, patch_name, n, min_v, max_v FROM impact_extremes WHERE 1 = 1" + f.sql()))
                .map((rs, ctx) -> Map.entry(List.of(rs.getString(1), rs.getString(2), rs.getString(3)),
                        new long[] {rs.getLong(4), rs.getLong(5), rs.getLong(6)}))
                .forEach(e -> extremes.put(e.getKey(), e.getValue()));
        Map<ImpactMetric, Map<List<String>, Reports.Distribution>> out = new EnumMap<>(ImpactMetric.class);
        Map<List<String>, Walk> walks = new HashMap<>();
        f.bind(h.createQuery("SELECT metric, kernel_release, patch_name, bucket, n FROM impact_buckets WHERE 1 = 1" + f.sql()
                        + " ORDER BY metric, kernel_release, patch_name, bucket"))
                .map((rs, ctx) -> new Object[] {List.of(rs.getString(1), rs.getString(2), rs.getString(3)), rs.getInt(4), rs.getLong(5)})
                .forEach(row -> {
                    @SuppressWarnings("unchecked")
                    List<String> key = (List<String>) row[0];
                    long[] ex = extremes.get(key);
                    ImpactMetric metric = ImpactMetric.ofColumn(key.get(0));
                    if (ex == null || metric == null) {
                        // Counters of a metric this build does not know, or buckets without extremes, are not reported.
                        return;
                    }
                    walks.computeIfAbsent(key, k -> new Walk(ex[0], ex[1], ex[2])).add((Integer) row[1], (Long) row[2]);
                });
        walks.forEach((key, w) -> out.computeIfAbsent(ImpactMetric.ofColumn(key.get(0)), m -> new HashMap<>())
                .put(List.of(key.get(1), key.get(2)), w.distribution()));
        return out;
    }

    /** One group's buckets in ascending order, picking the bucket each percentile's rank falls in. */
    private static final class Walk {
        private final long n;
        private final long min;
        private final long max;
        private final Long[] values = new Long[PERCENTILES.length];
        private long seen;

        Walk(long n, long min, long max) {
            this.n = n;
            this.min = min;
            this.max = max;
        }

        void add(int bucket, long count) {
            long before = seen;
            seen += count;
            for (int i = 0; i < PERCENTILES.length; i++) {
                long rank = (n * PERCENTILES[i] + 99) / 100;
                if (values[i] == null && rank > before && rank <= seen) {
                    values[i] = Math.max(min, Math.min(max, ImpactHistogram.upperBound(bucket)));
                }
            }
        }

        Reports.Distribution distribution() {
            return n == 0 ? Reports.Distribution.EMPTY : new Reports.Distribution(n, values[0], values[1], values[2]);
        }
    }

    /** Outcomes of apply events per kernel release, ordered by kernel release, from the counters kept as events arrive. */
    public List<Reports.Failures> failures(Filter f) {
        return db.withHandle(h -> {
            Map<String, Long> hosts = new HashMap<>();
            f.bind(h.createQuery("SELECT kernel_release, COUNT(DISTINCT host_id) FROM apply_hosts WHERE 1 = 1" + f.sql() + " GROUP BY kernel_release"))
                    .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> hosts.put(e.getKey(), e.getValue()));
            return f.bind(h.createQuery("SELECT kernel_release, SUM(loads), "
                            + "SUM(CASE WHEN category = 'applied' THEN loads ELSE 0 END), SUM(CASE WHEN category = 'refused' THEN loads ELSE 0 END), "
                            + "SUM(CASE WHEN category = 'stalled' THEN loads ELSE 0 END), SUM(CASE WHEN category = 'failed' THEN loads ELSE 0 END), "
                            + "SUM(CASE WHEN result = 'unknown' THEN loads ELSE 0 END) FROM apply_tally WHERE 1 = 1" + f.sql()
                            + " GROUP BY kernel_release ORDER BY kernel_release"))
                    .map((rs, ctx) -> {
                        long loads = rs.getLong(2);
                        long stalled = rs.getLong(5);
                        long failed = rs.getLong(6);
                        return new Reports.Failures(rs.getString(1), loads, hosts.getOrDefault(rs.getString(1), 0L), rs.getLong(3), rs.getLong(4),
                                stalled, failed, rs.getLong(7), loads == 0 ? 0 : (double) stalled / loads, loads == 0 ? 0 : (double) failed / loads);
                    }).list();
        });
    }
}
