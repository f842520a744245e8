package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.storage.TestDatabases;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The analytics API against a real server (SQLite and PostgreSQL) whose fleet reported the evidence
 * real agents recorded on real kernels; every figure is compared with one this test computes itself
 * from the documents it sent (nearest-rank percentiles, distinct hosts and loads, outcome buckets).
 */
class AnalyticsApiTest {

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }

    private static TestFleet fleet(String db) throws Exception {
        return new TestFleet(db.equals("sqlite") ? null : TestDatabases.freshPostgresLocation());
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void stall_causes_are_the_blocking_functions_and_tasks_ranked_by_hosts_then_loads(String db) throws Exception {
        try (TestFleet fleet = fleet(db)) {
            RecordedFleet seeded = RecordedFleet.seed(fleet);
            FleetClient viewer = fleet.client(fleet.token("analyst", "VIEWER"));
            JsonNode all = viewer.get("/api/v1/analytics/stalls?limit=500").json();
            assertThat(rows(all.path("functions"))).isEqualTo(expectedCauses(seeded.sent, b -> functions(b), null, null));
            assertThat(rows(all.path("tasks"))).isEqualTo(expectedCauses(seeded.sent, b -> List.of(b.path("comm").asText()), null, null));
            assertThat(all.path("functions").get(0).path("name").asText()).isEqualTo("klpf_target_wait [klpf_target]");

            JsonNode one = viewer.get("/api/v1/analytics/stalls?kernel=6.12.117%2Bdeb12-amd64&patch=klpf_target_patch").json();
            assertThat(rows(one.path("functions")))
                    .isEqualTo(expectedCauses(seeded.sent, b -> functions(b), "klpf_target_patch", "6.12.117+deb12-amd64"))
                    .isNotEmpty();
            JsonNode top1 = viewer.get("/api/v1/analytics/stalls?limit=1").json();
            assertThat(top1.path("functions").size()).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void impact_percentiles_per_kernel_and_patch_are_the_nearest_rank_values_to_within_one_sixty_fourth(String db) throws Exception {
        try (TestFleet fleet = fleet(db)) {
            RecordedFleet seeded = RecordedFleet.seed(fleet);
            JsonNode impact = fleet.admin.get("/api/v1/analytics/impact").json();
            Map<String, List<RecordedFleet.Sent>> groups = new TreeMap<>();
            for (RecordedFleet.Sent s : seeded.sent) {
                if (s.kind().equals("apply")) {
                    groups.computeIfAbsent(s.kernel() + " " + s.patch(), k -> new ArrayList<>()).add(s);
                }
            }
            Map<String, JsonNode> served = new TreeMap<>();
            impact.forEach(r -> served.put(r.path("kernelRelease").asText() + " " + r.path("patch").asText(), r));
            assertThat(served.keySet()).isEqualTo(groups.keySet()).contains("6.1.0-57-amd64 klpf_cmdline", "6.12.117+deb12-amd64 klpf_target_patch");
            groups.forEach((k, events) -> {
                JsonNode r = served.get(k);
                assertThat(r.path("loads").asLong()).as(k).isEqualTo(events.size());
                assertWithinOneSixtyFourth(k + " ksoftirqd", r.path("ksoftirqdDelayNanos"), events, e -> max(e.path("impact").path("insmod")
                        .path("ksoftirqdMaxDelayNanos"), e.path("impact").path("transition").path("ksoftirqdMaxDelayNanos")));
                assertWithinOneSixtyFourth(k + " retrans", r.path("tcpRetransmits"), events,
                        e -> sum(e.path("impact").path("insmod").path("retransSegs"), e.path("impact").path("transition").path("retransSegs")));
                assertWithinOneSixtyFourth(k + " cpu", r.path("insmodCpuMs"), events, e -> num(e.path("timings").path("insmodCpuMs")));
                assertWithinOneSixtyFourth(k + " transition", r.path("transitionMs"), events, e -> num(e.path("timings").path("transitionMs")));
            });

            JsonNode filtered = fleet.admin.get("/api/v1/analytics/impact?patch=klpf_cmdline").json();
            assertThat(filtered).hasSize(2);
            filtered.forEach(r -> assertThat(r.path("patch").asText()).isEqualTo("klpf_cmdline"));
        }
    }

    /**
     * The served p50/p95/p99 of one group against the nearest-rank values this test ranks itself: never
     * below, at most 1/64 above (the documented bucket width), never above the largest value sent.
     */
    private static void assertWithinOneSixtyFourth(String what, JsonNode served, List<RecordedFleet.Sent> events, Function<JsonNode, Long> value) {
        List<Long> v = events.stream().map(e -> value.apply(e.evidence())).filter(x -> x != null).sorted().toList();
        assertThat(served.path("n").asLong()).as(what + " n").isEqualTo(v.size());
        if (v.isEmpty()) {
            assertThat(served.path("p50").isNull()).as(what + " p50 of nothing").isTrue();
            return;
        }
        int[] ps = {50, 95, 99};
        String[] names = {"p50", "p95", "p99"};
        for (int i = 0; i < ps.length; i++) {
            long truth = v.get(rank(ps[i], v.size()));
            long got = served.path(names[i]).asLong();
            assertThat(got).as(what + " " + names[i] + " (true " + truth + ")").isBetween(truth, truth + truth / 64).isLessThanOrEqualTo(v.get(v.size() - 1));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void failure_and_stall_rates_per_kernel_put_every_load_in_one_bucket_and_count_unknown_results(String db) throws Exception {
        try (TestFleet fleet = fleet(db)) {
            RecordedFleet seeded = RecordedFleet.seed(fleet);
            Map<String, String> expected = new TreeMap<>();
            Map<String, List<RecordedFleet.Sent>> byKernel = new TreeMap<>();
            seeded.sent.stream().filter(s -> s.kind().equals("apply")).forEach(s -> byKernel.computeIfAbsent(s.kernel(), k -> new ArrayList<>()).add(s));
            byKernel.forEach((k, events) -> {
                long stalled = events.stream().filter(e -> e.result().startsWith("stalled-") || e.result().equals("revert-stalled")).count();
                long applied = events.stream().filter(e -> e.result().equals("applied")).count();
                long refused = events.stream().filter(e -> e.result().equals("refused")).count();
                long failed = events.size() - stalled - applied - refused;
                long hosts = events.stream().map(RecordedFleet.Sent::hostId).distinct().count();
                expected.put(k, events.size() + " loads " + hosts + " hosts " + applied + "/" + refused + "/" + stalled + "/" + failed
                        + " unknown " + events.stream().filter(e -> e.result().equals("half-applied")).count()
                        + String.format(" rates %.4f %.4f", (double) stalled / events.size(), (double) failed / events.size()));
            });
            Map<String, String> actual = new TreeMap<>();
            for (JsonNode r : fleet.admin.get("/api/v1/analytics/failures").json()) {
                actual.put(r.path("kernelRelease").asText(), r.path("loads").asLong() + " loads " + r.path("hosts").asLong() + " hosts "
                        + r.path("applied").asLong() + "/" + r.path("refused").asLong() + "/" + r.path("stalled").asLong() + "/" + r.path("failed").asLong()
                        + " unknown " + r.path("unknown").asLong()
                        + String.format(" rates %.4f %.4f", r.path("stallRate").asDouble(), r.path("failureRate").asDouble()));
            }
            assertThat(actual).isEqualTo(expected);
            assertThat(actual.values()).anyMatch(v -> v.contains("unknown 1"));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite"})
    void bad_filters_are_a_400_naming_them_and_hosts_cannot_read_analytics(String db) throws Exception {
        try (TestFleet fleet = fleet(db)) {
            RecordedFleet seeded = RecordedFleet.seed(fleet);
            assertThat(fleet.admin.get("/api/v1/analytics/impact?kernal=6.1").status()).isEqualTo(400);
            assertThat(fleet.admin.get("/api/v1/analytics/impact?kernal=6.1").error()).contains("unknown query parameter kernal");
            assertThat(fleet.admin.get("/api/v1/analytics/failures?kernel=6.1%20x").error()).contains("kernel must be a kernel release");
            assertThat(fleet.admin.get("/api/v1/analytics/stalls?limit=0").error()).contains("limit must be a whole number within 1..500");
            assertThat(seeded.hosts.get(0).api().get("/api/v1/analytics/stalls").status()).isEqualTo(403);
            JsonNode paths = fleet.admin.get("/api/v1/openapi.json").json().path("paths");
            assertThat(paths.has("/api/v1/analytics/stalls") && paths.has("/api/v1/analytics/impact") && paths.has("/api/v1/analytics/failures")).isTrue();
        }
    }

    // ---- the oracle: the report's definitions computed from the documents sent ----

    private static List<String> functions(JsonNode blocker) {
        List<String> f = new ArrayList<>();
        blocker.path("functions").forEach(x -> f.add(x.asText()));
        return f.isEmpty() ? List.of("(no patched function on its stack)") : f;
    }

    private static List<String> expectedCauses(List<RecordedFleet.Sent> sent, Function<JsonNode, List<String>> names, String patch, String kernel) {
        Map<List<String>, Set<String>> hosts = new HashMap<>();
        Map<List<String>, Set<String>> loads = new HashMap<>();
        for (int i = 0; i < sent.size(); i++) {
            RecordedFleet.Sent s = sent.get(i);
            if (patch != null && !patch.equals(s.patch()) || kernel != null && !kernel.equals(s.kernel())) {
                continue;
            }
            for (JsonNode b : s.evidence().path("blockers")) {
                for (String name : names.apply(b)) {
                    List<String> key = List.of(s.kernel(), s.patch(), name);
                    hosts.computeIfAbsent(key, k -> new HashSet<>()).add(s.hostId());
                    loads.computeIfAbsent(key, k -> new HashSet<>()).add(i + "");
                }
            }
        }
        return hosts.keySet().stream()
                .sorted(Comparator.<List<String>>comparingInt(k -> -hosts.get(k).size()).thenComparingInt(k -> -loads.get(k).size())
                        .thenComparing(k -> k.get(2)).thenComparing(k -> k.get(0)).thenComparing(k -> k.get(1)))
                .map(k -> k.get(0) + " " + k.get(1) + " " + k.get(2) + " hosts " + hosts.get(k).size() + " loads " + loads.get(k).size()).toList();
    }

    private static List<String> rows(JsonNode causes) {
        List<String> out = new ArrayList<>();
        causes.forEach(c -> out.add(c.path("kernelRelease").asText() + " " + c.path("patch").asText() + " " + c.path("name").asText()
                + " hosts " + c.path("hosts").asLong() + " loads " + c.path("loads").asLong()));
        return out;
    }

    /** Zero-based index of the nearest-rank percentile: ceil(p/100 * n) - 1. */
    private static int rank(int p, int n) {
        return (int) Math.ceil(p / 100.0 * n) - 1;
    }

    private static Long num(JsonNode n) {
        return n.isIntegralNumber() ? n.asLong() : null;
    }

    private static Long max(JsonNode a, JsonNode b) {
        Long x = num(a);
        Long y = num(b);
        return x == null ? y : y == null ? x : Long.valueOf(Math.max(x, y));
    }

    private static Long sum(JsonNode a, JsonNode b) {
        Long x = num(a);
        Long y = num(b);
        return x == null ? y : y == null ? x : Long.valueOf(x + y);
    }
}
