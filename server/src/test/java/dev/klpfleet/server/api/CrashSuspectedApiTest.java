package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.server.rollout.Evidence;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A host's crash-suspected event, with the evidence a real agent reported after a real 6.12 kernel
 * was crashed right after the apply: the server stores it, the rollout halts on it with the host
 * CRASH_SUSPECTED, the host reads its hold, and only an operator clears it, audited.
 */
class CrashSuspectedApiTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String KERNEL = "6.12.117+deb12-amd64";
    static TestFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new TestFleet();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    /** The recorded document, with its patch and version those of this test's rollout (nothing else changed). */
    static JsonNode recorded(String patch) {
        ObjectNode doc = (ObjectNode) Evidence.recorded("6.12", "agent-crash-suspected").deepCopy();
        return doc.put("patch", patch).put("version", "1");
    }

    @Test
    void a_crash_suspected_report_after_the_apply_halts_the_rollout_and_only_an_operator_clears_it() throws Exception {
        List<TestFleet.Host> hosts = List.of(fleet.enroll("crash-a", KERNEL, Map.of("fleet", "crash")),
                fleet.enroll("crash-b", KERNEL, Map.of("fleet", "crash")));
        for (TestFleet.Host h : hosts) {
            assertThat(h.checkin(null).status()).isEqualTo(200);
        }
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("crash_fix", "1", KERNEL)).status()).isEqualTo(201);
        Map<String, Object> plan = Map.of("waves", List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                        Map.of("name", "rest", "kind", "PERCENT", "percent", 100)), "soak", "PT1H", "maxConcurrent", 1,
                "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));
        FleetClient.Answer created = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "crash_fix", "version", "1",
                "selector", Map.of("labels", Map.of("fleet", "crash"), "kernelReleases", List.of()), "plan", plan));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String rollout = created.json().path("id").asText();
        await().atMost(WAIT).until(() -> hosts.stream().anyMatch(CrashSuspectedApiTest::toldToApply));
        TestFleet.Host canary = hosts.stream().filter(CrashSuspectedApiTest::toldToApply).findFirst().orElseThrow();
        TestFleet.Host other = hosts.stream().filter(h -> h != canary).findFirst().orElseThrow();
        assertThat(canary.report("apply-crash_fix", "apply", "crash_fix", "1", "applied").status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> rollout(rollout).path("waves").get(0).path("applied").asInt() == 1);

        JsonNode evidence = recorded("crash_fix");
        String eventId = "crash-crash_fix-0123456789abcdef0123";
        assertThat(canary.report(eventId, "apply", "crash_fix", "1", evidence.path("result").asText(), evidence).status()).isEqualTo(201);

        await().atMost(WAIT).until(() -> rollout(rollout).path("status").asText().equals("PAUSED"));
        JsonNode paused = rollout(rollout);
        assertThat(paused.path("haltReason").asText()).contains("crash-suspected", canary.id());
        assertThat(paused.path("waves").get(0).path("crashSuspected").asInt()).isEqualTo(1);
        assertThat(paused.path("waves").get(1).path("pending").asInt()).as("the next wave never started").isEqualTo(1);
        assertThat(paused.path("hosts").findValuesAsText("phase")).contains("CRASH_SUSPECTED");
        assertThat(canary.checkin(null).json().path("desired")).as("its desired set drops the patch").isEmpty();

        // The host reads its own hold; another host may not.
        JsonNode holds = canary.api().get("/api/v1/hosts/" + canary.id() + "/crash-holds").json();
        assertThat(holds).hasSize(1);
        assertThat(holds.get(0).path("eventId").asText()).isEqualTo(eventId);
        assertThat(holds.get(0).path("clearedAt").isNull()).isTrue();
        assertThat(other.api().get("/api/v1/hosts/" + canary.id() + "/crash-holds").status()).isEqualTo(403);

        // Clearing: a viewer may not, a wrong patch is a 409, an empty body a 400, an unknown host a 404.
        String viewer = fleet.token("crash-viewer", "VIEWER");
        String path = "/api/v1/hosts/" + canary.id() + "/clear-crash";
        assertThat(fleet.client(viewer).post(path, Map.of("patch", "crash_fix")).status()).isEqualTo(403);
        assertThat(fleet.admin.post(path, Map.of("patch", "other_fix")).status()).isEqualTo(409);
        assertThat(fleet.admin.post(path, Map.of()).status()).isEqualTo(400);
        assertThat(fleet.admin.post("/api/v1/hosts/h_nosuchhost/clear-crash", Map.of("patch", "crash_fix")).status()).isEqualTo(404);

        FleetClient.Answer cleared = fleet.admin.post(path, Map.of("patch", "crash_fix", "reason", "kernel bug unrelated to the patch"));
        assertThat(cleared.status()).as(cleared.body()).isEqualTo(200);
        assertThat(cleared.json().get(0).path("eventId").asText()).isEqualTo(eventId);
        assertThat(canary.api().get("/api/v1/hosts/" + canary.id() + "/crash-holds").json().get(0).path("clearedBy").asText())
                .isEqualTo(TestFleet.ADMIN_NAME);
        assertThat(fleet.admin.post(path, Map.of("patch", "crash_fix")).status()).as("nothing left to clear").isEqualTo(409);
        assertThat(fleet.admin.get("/api/v1/audit?limit=20").body()).contains("host.clear-crash", "kernel bug unrelated to the patch",
                "refused 409");
    }

    private static JsonNode rollout(String id) throws Exception {
        return fleet.admin.get("/api/v1/rollouts/" + id).json();
    }

    private static boolean toldToApply(TestFleet.Host h) {
        try {
            return h.checkin(null).json().path("desired").size() == 1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
