package dev.klpfleet.server.metrics;

import dev.klpfleet.server.storage.Database;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Fleet-wide aggregates read from the database by a refresher thread, never by a scrape: hosts by
 * kernel release and state, silent hosts, rollouts by status, and the kernel releases of each
 * published rollout's hosts with no build. One grouped query per figure per refresh.
 */
public final class FleetGauges {
    /** A host not seen for this long is {@code silent}: two check-in intervals, so one late check-in (jitter) is not. */
    public static final Duration SILENT_AFTER = Duration.ofSeconds(2L * dev.klpfleet.server.host.Desired.CHECKIN_INTERVAL_SECONDS);
    /** At most this many kernel releases get their own label value; the rest are summed under {@code other}. */
    public static final int MAX_KERNEL_RELEASES = 200;
    /** Rollout statuses, so each has a series (0 included) from the first refresh on. */
    private static final String[] STATUSES = {"RUNNING", "PAUSED", "COMPLETED", "ABORTED", "ROLLED_BACK"};
    /** How many host ids one no-build lookup binds. */
    private static final int ID_CHUNK = 500;

    private final Database db;
    private final InstantSource clock;
    private final FleetMetrics metrics;
    private final GaugeRows hosts;
    private final GaugeRows rollouts;
    private final AtomicLong silent = new AtomicLong();
    private final AtomicLong otherReleases = new AtomicLong();
    private final AtomicLong refreshedAt = new AtomicLong();
    private final Timer refreshes;

    public FleetGauges(Database db, InstantSource clock, FleetMetrics metrics) {
        this.db = db;
        this.clock = clock;
        this.metrics = metrics;
        var r = metrics.registry();
        hosts = new GaugeRows(MultiGauge.builder("klpfleet.hosts").description("Enrolled hosts by kernel release and state (active, silent)")
                .register(r));
        rollouts = new GaugeRows(MultiGauge.builder("klpfleet.rollouts").description("Rollouts by status").register(r));
        Gauge.builder("klpfleet.hosts.silent", silent, AtomicLong::get)
                .description("Hosts not seen for over " + SILENT_AFTER.toSeconds() + " s (two check-in intervals)").register(r);
        Gauge.builder("klpfleet.hosts.kernel.releases.folded", otherReleases, AtomicLong::get)
                .description("Kernel releases beyond the label limit, counted under kernel_release=\"other\"").register(r);
        Gauge.builder("klpfleet.metrics.refresh.timestamp", refreshedAt, v -> v.get() / 1000.0).baseUnit("seconds")
                .description("Wall-clock time of the last refresh of the fleet aggregates").register(r);
        refreshes = Timer.builder("klpfleet.metrics.refresh").description("Refreshes of the fleet aggregates, with the time each took")
                .register(r);
    }

    /** Reads every aggregate once and replaces the published figures. */
    public void refresh() {
        long started = System.nanoTime();
        long now = clock.millis();
        refreshHosts(now);
        refreshRollouts();
        refreshNoBuild();
        refreshedAt.set(now);
        refreshes.record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    }

    private void refreshHosts(long now) {
        long cutoff = now - SILENT_AFTER.toMillis();
        record Group(String release, long total, long silent) {}
        List<Group> groups = db.withHandle(h -> h.createQuery("SELECT kernel_release, COUNT(*), "
                        + "SUM(CASE WHEN last_seen_at < :cutoff THEN 1 ELSE 0 END) FROM hosts GROUP BY kernel_release")
                .bind("cutoff", cutoff).map((rs, ctx) -> new Group(rs.getString(1), rs.getLong(2), rs.getLong(3))).list());
        groups = new ArrayList<>(groups);
        groups.sort((a, b) -> a.total() != b.total() ? Long.compare(b.total(), a.total()) : a.release().compareTo(b.release()));
        Map<String, long[]> byRelease = new TreeMap<>();
        long silentTotal = 0;
        for (int i = 0; i < groups.size(); i++) {
            Group g = groups.get(i);
            long[] sum = byRelease.computeIfAbsent(i < MAX_KERNEL_RELEASES ? g.release() : "other", k -> new long[2]);
            sum[0] += g.total() - g.silent();
            sum[1] += g.silent();
            silentTotal += g.silent();
        }
        Map<Tags, Number> rows = new HashMap<>();
        byRelease.forEach((release, n) -> {
            rows.put(Tags.of("kernel_release", release, "state", "active"), n[0]);
            rows.put(Tags.of("kernel_release", release, "state", "silent"), n[1]);
        });
        hosts.set(rows);
        silent.set(silentTotal);
        otherReleases.set(Math.max(0, groups.size() - MAX_KERNEL_RELEASES));
    }

    private void refreshRollouts() {
        Map<String, Long> byStatus = new TreeMap<>();
        for (String s : STATUSES) {
            byStatus.put(s, 0L);
        }
        db.withHandle(h -> h.createQuery("SELECT status, COUNT(*) FROM rollouts GROUP BY status")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list()).forEach(e -> byStatus.put(e.getKey(), e.getValue()));
        Map<Tags, Number> rows = new HashMap<>();
        byStatus.forEach((s, n) -> rows.put(Tags.of("status", s), n));
        rollouts.set(rows);
    }

    private void refreshNoBuild() {
        Map<String, Map<String, Long>> out = new HashMap<>();
        for (RolloutSeries.Figures f : metrics.rollouts().current().values()) {
            if (f.noBuild().isEmpty()) {
                continue;
            }
            Map<String, Long> byRelease = new TreeMap<>();
            for (int i = 0; i < f.noBuild().size(); i += ID_CHUNK) {
                List<String> ids = f.noBuild().subList(i, Math.min(f.noBuild().size(), i + ID_CHUNK));
                db.withHandle(h -> h.createQuery("SELECT kernel_release, COUNT(*) FROM hosts WHERE id IN (<ids>) GROUP BY kernel_release")
                        .bindList("ids", ids).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list())
                        .forEach(e -> byRelease.merge(e.getKey(), e.getValue(), Long::sum));
            }
            out.put(f.rollout(), byRelease);
        }
        metrics.rollouts().noBuild(out);
    }
}
