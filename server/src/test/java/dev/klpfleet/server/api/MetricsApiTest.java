package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.rollout.Evidence;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What /metrics says about a fleet going through a rollout that an impact gate halts, over real HTTP. */
class MetricsApiTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String K_BUILT = "6.1.0-31-amd64";
    static final String K_UNBUILT = "6.1.0-99-amd64";
    static TestFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new TestFleet();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static Scrape scrape() throws Exception {
        FleetClient.Answer a = new FleetClient(fleet.server.uri(), null).get("/metrics");
        assertThat(a.status()).isEqualTo(200);
        return Scrape.of(a.body());
    }

    @Test
    void aGateHaltedRolloutShowsItsPhasesGateValueHaltAndTheFleetByKernelWithoutOneSeriesPerHost() throws Exception {
        TestFleet.Host a = fleet.enroll("met-1", K_BUILT, Map.of("fleet", "met"));
        TestFleet.Host b = fleet.enroll("met-2", K_BUILT, Map.of("fleet", "met"));
        TestFleet.Host c = fleet.enroll("met-3", K_UNBUILT, Map.of("fleet", "met"));
        ArtifactUpload art = fleet.artifact("met_fix", "1", K_BUILT);
        assertThat(fleet.admin.post("/api/v1/artifacts", art).status()).isEqualTo(201);
        byte[] module = Base64.getDecoder().decode(art.module());
        JsonNode doc = Evidence.recorded("6.12", "applied");
        long limit = Evidence.ksoftirqdLimitBelow(doc);
        String id = gatedRollout(fleet, "met_fix", "met", Map.of("insmod.ksoftirqdMaxDelayNanos", limit));
        int checkins = 0;
        TestFleet.Host canary = null;
        while (canary == null) {
            for (TestFleet.Host h : List.of(a, b, c)) {
                checkins++;
                if (h.checkin(null).json().path("desired").size() == 1) {
                    canary = h;
                }
            }
        }
        assertThat(canary.api().get("/api/v1/artifacts/" + Sha256.hex(module)).status()).isEqualTo(200);
        assertThat(canary.api().get("/api/v1/artifacts/" + "0".repeat(64)).status()).isEqualTo(404);
        double measured = doc.path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asDouble();
        assertThat(canary.report("met-e1", "apply", "met_fix", "1", "applied", doc).status()).isEqualTo(201);
        // A newer agent's result this server does not know is counted under outcome "unknown".
        assertThat(c.report("met-e2", "apply", "other_fix", "1", "applied-with-quirks").status()).isEqualTo(201);

        Map<String, String> r = Map.of("rollout", id, "patch", "met_fix", "version", "1");
        await().atMost(WAIT).until(() -> scrape().sum("klpfleet_rollout_halted", r) == 1
                && scrape().sum("klpfleet_rollout_no_build_hosts", r) == 1 && scrape().sum("klpfleet_hosts", Map.of("kernel_release", K_UNBUILT)) == 1);
        // The engine republishes every 100 ms tick: a series that stays must be in every scrape, not flicker out while it is updated.
        for (int i = 0; i < 40; i++) {
            Scrape again = scrape();
            assertThat(again.find("klpfleet_rollout_halted", r)).as("scrape " + i).hasSize(1);
            assertThat(again.find("klpfleet_rollout_hosts", r)).as("scrape " + i).hasSize(dev.klpfleet.server.rollout.core.Phase.values().length);
            Thread.sleep(25);
        }
        Scrape s = scrape();
        assertThat(s.value("klpfleet_rollout_halted", Map.of("rollout", id, "cause", "gate"))).isEqualTo(1);
        assertThat(s.value("klpfleet_rollout_gate_value", with(r, "gate", "impact.insmod.ksoftirqdMaxDelayNanos"))).isEqualTo(measured);
        assertThat(s.value("klpfleet_rollout_gate_threshold", with(r, "gate", "impact.insmod.ksoftirqdMaxDelayNanos"))).isEqualTo(limit);
        assertThat(s.value("klpfleet_rollout_gate_value", with(r, "gate", "failure_rate"))).isZero();
        assertThat(s.value("klpfleet_rollout_hosts", with(r, "phase", "APPLIED"))).isEqualTo(1);
        assertThat(s.value("klpfleet_rollout_hosts", with(r, "phase", "PENDING"))).isEqualTo(1);
        assertThat(s.value("klpfleet_rollout_hosts", with(r, "phase", "NO_BUILD"))).isEqualTo(1);
        assertThat(s.value("klpfleet_rollout_no_build_hosts", with(r, "kernel_release", K_UNBUILT))).isEqualTo(1);
        assertThat(s.value("klpfleet_rollouts", Map.of("status", "PAUSED"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_rollout_gate_trips_total", Map.of("action", "pause"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_rollout_halts_total", Map.of("cause", "gate"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_hosts", Map.of("kernel_release", K_BUILT, "state", "active"))).isEqualTo(2);
        assertThat(s.value("klpfleet_hosts", Map.of("kernel_release", K_BUILT, "state", "silent"))).isZero();
        assertThat(s.value("klpfleet_events_total", Map.of("kind", "apply", "outcome", "applied"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_events_total", Map.of("kind", "apply", "outcome", "unknown"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_events_total", Map.of("kind", "unload", "outcome", "rmmod-failed")))
                .as("every outcome of the vocabulary has its series from the start").isZero();
        assertThat(s.value("klpfleet_checkins_seconds_count", Map.of())).isGreaterThanOrEqualTo(checkins);
        assertThat(s.value("klpfleet_artifact_downloads_total", Map.of("result", "served"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_artifact_downloads_total", Map.of("result", "not_found"))).isGreaterThanOrEqualTo(1);
        assertThat(s.value("klpfleet_artifact_download_bytes_total", Map.of())).isGreaterThanOrEqualTo(module.length);
        assertThat(s.value("klpfleet_engine_ticks_seconds_count", Map.of())).isPositive();
        assertThat(s.value("klpfleet_engine_lease_held", Map.of())).isEqualTo(1);
        assertThat(s.value("klpfleet_engine_last_step_timestamp_seconds", Map.of()))
                .isCloseTo(Instant.now().toEpochMilli() / 1000.0, org.assertj.core.data.Offset.offset(30.0));
        assertThat(s.sum("klpfleet_engine_rollouts_stepped_total", Map.of())).isPositive();
        assertThat(s.value("hikaricp_connections_max", Map.of("pool", "klpfleet-db"))).isPositive();
        assertThat(s.value("klpfleet_db_queries_seconds_count", Map.of("operation", "select", "result", "ok"))).isPositive();
        for (TestFleet.Host h : List.of(a, b, c)) {
            assertThat(s.text()).as("no series names a host").doesNotContain(h.id());
        }
    }

    /** Creates a rollout of {@code patch} version 1 to hosts labelled fleet={@code label}: a canary, then the rest, no soak. */
    static String gatedRollout(TestFleet fleet, String patch, String label, Map<String, Object> impactMax) throws Exception {
        Map<String, Object> plan = RolloutEngineApiTest.plan("PT0S", 1, RolloutEngineApiTest.gates(impactMax),
                RolloutEngineApiTest.count("canary", 1), Map.of("name", "rest", "kind", "PERCENT", "percent", 100));
        FleetClient.Answer a = fleet.admin.post("/api/v1/rollouts", Map.of("patch", patch, "version", "1",
                "selector", Map.of("labels", Map.of("fleet", label), "kernelReleases", List.of()), "plan", plan));
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return a.json().path("id").asText();
    }

    private static Map<String, String> with(Map<String, String> m, String k, String v) {
        Map<String, String> out = new java.util.HashMap<>(m);
        out.put(k, v);
        return out;
    }
}
