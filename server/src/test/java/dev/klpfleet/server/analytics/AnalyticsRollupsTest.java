package dev.klpfleet.server.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.storage.TestDatabases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The failures and impact reports read counters kept as events arrive; these scenarios check them
 * against what this test computes from the events it recorded (nearest-rank over the sorted
 * figures, counts per outcome), with figures drawn to hit the histogram's edges: zeros, values below
 * 128 (exact), large nanosecond delays, long runs of one value, and absent figures.
 */
class AnalyticsRollupsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KERNELS = List.of("6.1.0-57-amd64", "6.12.117+deb12-amd64");
    private static final List<String> PATCHES = List.of("klpf_cmdline", "klpf_target_patch");
    private static final List<String> RESULTS = List.of("applied", "applied", "applied", "stalled-reverted", "refused", "load-failed", "half-applied");

    /** One apply event as this test sent it. */
    record Sent(String host, String kernel, String patch, String result, Long cpuMs, Long transitionMs, Long ksoftirqdNs, Long retrans) {}

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void percentiles_read_from_the_counters_are_the_nearest_rank_values_to_within_one_sixty_fourth(String kind) {
        List<Sent> sent = events(new Random(20261202), 3000);
        try (Database db = kind.equals("sqlite") ? TestDatabases.freshSqlite() : TestDatabases.freshPostgres()) {
            record(db, sent);
            assertMatches(new Analytics(db), sent);
        }
    }

    @Test
    void an_event_recorded_twice_is_counted_once() {
        List<Sent> sent = events(new Random(7), 50);
        try (Database db = TestDatabases.freshSqlite()) {
            record(db, sent);
            record(db, sent);
            assertMatches(new Analytics(db), sent);
        }
    }

    @Test
    void events_recorded_before_the_counters_existed_are_counted_by_the_migration() throws Exception {
        List<Sent> sent = events(new Random(42), 1500);
        Path dir = Files.createTempDirectory("klpfleet-db");
        DatabaseLocation location = DatabaseLocation.inDataDir(dir);
        // A server of the previous release: its schema stops at V32 and it wrote only event_facts.
        Flyway.configure().dataSource(location.jdbcUrl(), null, null).locations("classpath:db/migration").target("32").load().migrate();
        try (var c = java.sql.DriverManager.getConnection(location.jdbcUrl());
             var insert = c.prepareStatement("INSERT INTO event_facts (host_id, event_id, kind, result, category, patch_name, patch_version, "
                     + "kernel_release, insmod_cpu_ms, transition_ms, ksoftirqd_delay_ns, retrans_segs, received_at) "
                     + "VALUES (?, ?, 'apply', ?, ?, ?, '1', ?, ?, ?, ?, ?, 0)")) {
            for (int i = 0; i < sent.size(); i++) {
                Sent s = sent.get(i);
                insert.setString(1, s.host());
                insert.setString(2, "e" + i);
                insert.setString(3, dev.klpfleet.protocol.outcome.ApplyResult.fromWire(s.result()).wire());
                insert.setString(4, Category.of(dev.klpfleet.protocol.outcome.ApplyResult.fromWire(s.result())).wire());
                insert.setString(5, s.patch());
                insert.setString(6, s.kernel());
                insert.setObject(7, s.cpuMs());
                insert.setObject(8, s.transitionMs());
                insert.setObject(9, s.ksoftirqdNs());
                insert.setObject(10, s.retrans());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (Database db = Database.open(location)) {
            assertMatches(new Analytics(db), sent);
        }
    }

    private static void assertMatches(Analytics analytics, List<Sent> sent) {
        List<Reports.Impact> impact = analytics.impact(Filter.ALL);
        assertThat(impact).extracting(i -> i.kernelRelease() + " " + i.patch())
                .containsExactly(KERNELS.get(0) + " " + PATCHES.get(0), KERNELS.get(0) + " " + PATCHES.get(1),
                        KERNELS.get(1) + " " + PATCHES.get(0), KERNELS.get(1) + " " + PATCHES.get(1));
        for (Reports.Impact i : impact) {
            List<Sent> group = sent.stream().filter(s -> s.kernel().equals(i.kernelRelease()) && s.patch().equals(i.patch())).toList();
            assertThat(i.loads()).isEqualTo(group.size());
            assertNearRank(i + " cpu", i.insmodCpuMs(), group.stream().map(Sent::cpuMs).toList());
            assertNearRank(i + " transition", i.transitionMs(), group.stream().map(Sent::transitionMs).toList());
            assertNearRank(i + " ksoftirqd", i.ksoftirqdDelayNanos(), group.stream().map(Sent::ksoftirqdNs).toList());
            assertNearRank(i + " retrans", i.tcpRetransmits(), group.stream().map(Sent::retrans).toList());
        }
        assertThat(analytics.impact(new Filter(PATCHES.get(1), KERNELS.get(0)))).singleElement()
                .satisfies(i -> assertThat(i.loads()).isEqualTo(sent.stream().filter(s -> s.patch().equals(PATCHES.get(1)) && s.kernel().equals(KERNELS.get(0))).count()));

        List<Reports.Failures> failures = analytics.failures(Filter.ALL);
        assertThat(failures).extracting(Reports.Failures::kernelRelease).containsExactlyElementsOf(KERNELS);
        for (Reports.Failures f : failures) {
            List<Sent> k = sent.stream().filter(s -> s.kernel().equals(f.kernelRelease())).toList();
            assertThat(f.loads()).isEqualTo(k.size());
            assertThat(f.hosts()).isEqualTo(k.stream().map(Sent::host).distinct().count());
            assertThat(f.applied()).isEqualTo(k.stream().filter(s -> s.result().equals("applied")).count());
            assertThat(f.refused()).isEqualTo(k.stream().filter(s -> s.result().equals("refused")).count());
            assertThat(f.stalled()).isEqualTo(k.stream().filter(s -> s.result().equals("stalled-reverted")).count());
            assertThat(f.failed()).isEqualTo(k.stream().filter(s -> s.result().equals("load-failed") || s.result().equals("half-applied")).count());
            assertThat(f.unknown()).isEqualTo(k.stream().filter(s -> s.result().equals("half-applied")).count());
        }
        Reports.Failures onePatch = analytics.failures(new Filter(PATCHES.get(0), null)).get(0);
        assertThat(onePatch.hosts()).isEqualTo(sent.stream().filter(s -> s.kernel().equals(onePatch.kernelRelease()) && s.patch().equals(PATCHES.get(0)))
                .map(Sent::host).distinct().count());
    }

    /** Never below the nearest-rank value, at most 1/64 above it, never above the largest value. */
    private static void assertNearRank(String what, Reports.Distribution d, List<Long> figures) {
        List<Long> v = figures.stream().filter(x -> x != null).sorted().toList();
        assertThat(d.n()).as(what + " n").isEqualTo(v.size());
        if (v.isEmpty()) {
            assertThat(d.p50()).isNull();
            return;
        }
        long[] got = {d.p50(), d.p95(), d.p99()};
        int[] ps = {50, 95, 99};
        for (int i = 0; i < ps.length; i++) {
            long truth = v.get((int) Math.ceil(ps[i] / 100.0 * v.size()) - 1);
            assertThat(got[i]).as(what + " p" + ps[i] + " (true " + truth + ")").isBetween(truth, truth + truth / 64)
                    .isLessThanOrEqualTo(v.get(v.size() - 1));
        }
    }

    private static void record(Database db, List<Sent> sent) {
        db.inTransaction(h -> {
            for (int i = 0; i < sent.size(); i++) {
                Sent s = sent.get(i);
                ObjectNode ev = JSON.createObjectNode().put("kernelRelease", s.kernel());
                ObjectNode timings = ev.putObject("timings");
                putIfPresent(timings, "insmodCpuMs", s.cpuMs());
                putIfPresent(timings, "transitionMs", s.transitionMs());
                ObjectNode insmod = ev.putObject("impact").putObject("insmod");
                putIfPresent(insmod, "ksoftirqdMaxDelayNanos", s.ksoftirqdNs());
                putIfPresent(insmod, "retransSegs", s.retrans());
                EventFacts.record(h, s.host(), HostEvent.fromWire("e" + i, "apply", s.patch(), "1", s.result(), Instant.EPOCH, ev), 0);
            }
            return null;
        });
    }

    private static void putIfPresent(ObjectNode o, String field, Long v) {
        if (v != null) {
            o.put(field, v);
        }
    }

    /** Figures that exercise exact small values, wide buckets, long ties and gaps. */
    private static List<Sent> events(Random r, int n) {
        List<Sent> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int host = r.nextInt(n / 3 + 1);
            String kernel = KERNELS.get(host % 2);
            String patch = PATCHES.get(r.nextInt(3) == 0 ? 1 : 0);
            Long cpu = r.nextInt(10) == 0 ? null : (long) r.nextInt(200);
            Long transition = r.nextInt(4) == 0 ? 1_000L : (long) Math.abs(r.nextGaussian() * 20_000);
            Long ksoftirqd = r.nextInt(20) == 0 ? null : (long) Math.exp(r.nextDouble() * 22);
            Long retrans = r.nextInt(3) == 0 ? 0L : (long) r.nextInt(5000);
            out.add(new Sent("h_" + host, kernel, patch, RESULTS.get(r.nextInt(RESULTS.size())), cpu, transition, ksoftirqd, retrans));
        }
        return out;
    }
}
