package dev.klpfleet.server.analytics;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.MigrationVersion;
import org.flywaydb.core.api.migration.BaseJavaMigration;
import org.flywaydb.core.api.migration.Context;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;

/**
 * Migration V36: fills {@code impact_buckets} and {@code impact_extremes} (created by V35) from the
 * apply events recorded before them, in the migration's transaction; the bucket arithmetic is
 * {@link ImpactHistogram}'s, which is not portable SQL. Reads the facts once, in a stream, and
 * keeps only one counter per non-empty bucket in memory.
 */
public final class ImpactHistogramsBackfill extends BaseJavaMigration {
    /** One metric's bucket of one kernel release and patch. */
    private record Key(ImpactMetric metric, String kernel, String patch, int bucket) {}

    @Override
    protected void init() {
        // Version and description are ours below, not parsed from a V36__ class name.
    }

    @Override
    public MigrationVersion getVersion() {
        return MigrationVersion.fromVersion("36");
    }

    @Override
    public String getDescription() {
        return "impact histograms backfill";
    }

    @Override
    public void migrate(Context context) throws Exception {
        Connection c = context.getConnection();
        Map<Key, long[]> buckets = new HashMap<>();
        String columns = String.join(", ", List.of(ImpactMetric.values()).stream().map(ImpactMetric::column).toList());
        try (PreparedStatement q = c.prepareStatement("SELECT kernel_release, patch_name, " + columns + " FROM event_facts WHERE kind = 'apply'")) {
            q.setFetchSize(10_000);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    for (ImpactMetric m : ImpactMetric.values()) {
                        long v = rs.getLong(3 + m.ordinal());
                        if (!rs.wasNull() && v >= 0) {
                            long[] s = buckets.computeIfAbsent(new Key(m, rs.getString(1), rs.getString(2), ImpactHistogram.bucket(v)),
                                    k -> new long[] {0, Long.MAX_VALUE, Long.MIN_VALUE});
                            s[0]++;
                            s[1] = Math.min(s[1], v);
                            s[2] = Math.max(s[2], v);
                        }
                    }
                }
            }
        }
        Handle h = Jdbi.open(c);
        List<Map.Entry<Key, long[]>> sorted = new ArrayList<>(buckets.entrySet());
        sorted.sort(Map.Entry.comparingByKey(java.util.Comparator.comparing(Key::metric).thenComparing(Key::kernel).thenComparing(Key::patch)
                .thenComparingInt(Key::bucket)));
        for (Map.Entry<Key, long[]> e : sorted) {
            Key k = e.getKey();
            long[] s = e.getValue();
            ApplyRollups.addFigure(h, k.metric(), k.kernel(), k.patch(), k.bucket(), s[0], s[1], s[2]);
        }
        // The handle wraps Flyway's connection, which Flyway commits and closes; closing it here would end the migration.
    }
}
