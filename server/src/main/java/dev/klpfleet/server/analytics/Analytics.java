package dev.klpfleet.server.analytics;

import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet analytics, each one aggregate query (GROUP BY or window functions) over the narrow
 * {@code event_facts} and {@code event_blockers} rows; the same SQL on SQLite and PostgreSQL. Only
 * the groups travel to the JVM, never the events.
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

    /** Impact distributions of apply events per kernel release and patch, ordered by kernel release then patch. */
    public List<Reports.Impact> impact(Filter f) {
        return db.withHandle(h -> {
            Map<List<String>, Long> loads = new LinkedHashMap<>();
            f.bind(h.createQuery("SELECT kernel_release, patch_name, COUNT(*) FROM event_facts WHERE kind = :apply" + f.sql()
                            + " GROUP BY kernel_release, patch_name ORDER BY kernel_release, patch_name"))
                    .bind("apply", EventKind.APPLY.wire())
                    .map((rs, ctx) -> Map.entry(List.of(rs.getString(1), rs.getString(2)), rs.getLong(3)))
                    .forEach(e -> loads.put(e.getKey(), e.getValue()));
            Map<List<String>, Reports.Distribution> ksoftirqd = percentiles(h, "ksoftirqd_delay_ns", f);
            Map<List<String>, Reports.Distribution> retrans = percentiles(h, "retrans_segs", f);
            Map<List<String>, Reports.Distribution> cpu = percentiles(h, "insmod_cpu_ms", f);
            Map<List<String>, Reports.Distribution> transition = percentiles(h, "transition_ms", f);
            List<Reports.Impact> out = new ArrayList<>();
            loads.forEach((k, n) -> out.add(new Reports.Impact(k.get(0), k.get(1), n,
                    ksoftirqd.getOrDefault(k, Reports.Distribution.EMPTY), retrans.getOrDefault(k, Reports.Distribution.EMPTY),
                    cpu.getOrDefault(k, Reports.Distribution.EMPTY), transition.getOrDefault(k, Reports.Distribution.EMPTY))));
            return out;
        });
    }

    /**
     * Nearest-rank p50/p95/p99 of {@code column} per (kernel release, patch): the value at rank
     * ceil(p/100 × n) of the group's n non-null values in ascending order. Window functions rank the
     * rows inside the database; only three rows per group come back.
     */
    private static Map<List<String>, Reports.Distribution> percentiles(org.jdbi.v3.core.Handle h, String column, Filter f) {
        String ranks = "(n * 50 + 99) / 100, (n * 95 + 99) / 100, (n * 99 + 99) / 100";
        Map<List<String>, long[]> values = new HashMap<>();
        Map<List<String>, Long> counts = new HashMap<>();
        f.bind(h.createQuery("SELECT kernel_release, patch_name, v, rn, n FROM (SELECT kernel_release, patch_name, " + column + " AS v, "
                        + "ROW_NUMBER() OVER (PARTITION BY kernel_release, patch_name ORDER BY " + column + ") AS rn, "
                        + "COUNT(*) OVER (PARTITION BY kernel_release, patch_name) AS n FROM event_facts WHERE kind = :apply AND "
                        + column + " IS NOT NULL" + f.sql() + ") ranked WHERE rn IN (" + ranks + ")"))
                .bind("apply", EventKind.APPLY.wire())
                .map((rs, ctx) -> new Object[] {List.of(rs.getString(1), rs.getString(2)), rs.getLong(3), rs.getLong(4), rs.getLong(5)})
                .forEach(row -> {
                    @SuppressWarnings("unchecked")
                    List<String> key = (List<String>) row[0];
                    long v = (Long) row[1];
                    long rank = (Long) row[2];
                    long n = (Long) row[3];
                    counts.put(key, n);
                    long[] ps = values.computeIfAbsent(key, k -> new long[PERCENTILES.length]);
                    for (int i = 0; i < PERCENTILES.length; i++) {
                        if (rank == (n * PERCENTILES[i] + 99) / 100) {
                            ps[i] = v;
                        }
                    }
                });
        Map<List<String>, Reports.Distribution> out = new HashMap<>();
        values.forEach((k, ps) -> out.put(k, new Reports.Distribution(counts.get(k), ps[0], ps[1], ps[2])));
        return out;
    }

    /** Outcomes of apply events per kernel release, ordered by kernel release. */
    public List<Reports.Failures> failures(Filter f) {
        return db.withHandle(h -> f.bind(h.createQuery("SELECT kernel_release, COUNT(*), COUNT(DISTINCT host_id), "
                        + "SUM(CASE WHEN category = 'applied' THEN 1 ELSE 0 END), SUM(CASE WHEN category = 'refused' THEN 1 ELSE 0 END), "
                        + "SUM(CASE WHEN category = 'stalled' THEN 1 ELSE 0 END), SUM(CASE WHEN category = 'failed' THEN 1 ELSE 0 END), "
                        + "SUM(CASE WHEN result = 'unknown' THEN 1 ELSE 0 END) FROM event_facts WHERE kind = :apply" + f.sql()
                        + " GROUP BY kernel_release ORDER BY kernel_release"))
                .bind("apply", EventKind.APPLY.wire())
                .map((rs, ctx) -> {
                    long loads = rs.getLong(2);
                    long stalled = rs.getLong(6);
                    long failed = rs.getLong(7);
                    return new Reports.Failures(rs.getString(1), loads, rs.getLong(3), rs.getLong(4), rs.getLong(5), stalled, failed, rs.getLong(8),
                            loads == 0 ? 0 : (double) stalled / loads, loads == 0 ? 0 : (double) failed / loads);
                }).list());
    }
}
