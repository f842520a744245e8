package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.protocol.fleet.ImpactPaths;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.rollout.Evidence;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Rollout creation, gates and the engine against a real server over loopback HTTP. */
class RolloutEngineApiTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static TestFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new TestFleet();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static Map<String, Object> gates(Map<String, Object> impactMax) {
        return Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", impactMax, "action", "PAUSE");
    }

    static Map<String, Object> plan(Object soak, Object maxConcurrent, Object gates, Map<String, Object>... waves) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("waves", List.of(waves));
        p.put("soak", soak);
        p.put("maxConcurrent", maxConcurrent);
        p.put("gates", gates);
        return p;
    }

    static Map<String, Object> with(Map<String, Object> plan, String field, Object value) {
        plan.put(field, value);
        return plan;
    }

    static Map<String, Object> count(String name, int n) {
        return Map.of("name", name, "kind", "COUNT", "count", n);
    }

    static FleetClient.Answer create(String patch, String label, Map<String, Object> plan) throws Exception {
        return fleet.admin.post("/api/v1/rollouts", Map.of("patch", patch, "version", "1",
                "selector", Map.of("labels", Map.of("fleet", label), "kernelReleases", List.of()), "plan", plan));
    }

    static JsonNode view(String id) throws Exception {
        return fleet.admin.get("/api/v1/rollouts/" + id).json();
    }

    static TestFleet.Host hostWithArtifact(String name, String patch, String label) throws Exception {
        String k = "6.1.0-" + Math.abs(name.hashCode() % 1000) + "-amd64";
        TestFleet.Host h = fleet.enroll(name, k, Map.of("fleet", label));
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact(patch, "1", k)).status()).isEqualTo(201);
        return h;
    }

    @Test
    void rolloutCreateRefusesEveryBadFieldWith400AndAReasonAndCreatesNothing() throws Exception {
        hostWithArtifact("valid-1", "valid_fix", "valid");
        Map<String, Object> one = count("one", 1);
        Map<String, Map<String, Object>> refused = new LinkedHashMap<>();
        refused.put("soak must be within 0..30 days", plan("PT1000000000000000000S", 1, gates(Map.of()), one));
        refused.put("soak must be within 0..30 days (got PT744H)", plan("P31D", 1, gates(Map.of()), one));
        refused.put("two waves are named 'one'", plan("PT0S", 1, gates(Map.of()), one, Map.of("name", "one", "kind", "PERCENT", "percent", 100)));
        refused.put("maxConcurrent must be within 1..100000", plan("PT0S", 0, gates(Map.of()), one));
        refused.put("maxConcurrent must be within 1..100000 (got 1000000)", plan("PT0S", 1_000_000, gates(Map.of()), one));
        refused.put("percent must be within 0..100", plan("PT0S", 1, gates(Map.of()), Map.of("name", "p", "kind", "PERCENT", "percent", 150)));
        refused.put("count must be within 0..1000000", plan("PT0S", 1, gates(Map.of()), count("c", -3)));
        refused.put("silenceAfterApply must be positive", plan("PT0S", 1, Map.of("silenceAfterApply", "PT0S"), one));
        refused.put("silenceAfterApply must be positive and at most 30 days", plan("PT0S", 1, Map.of("silenceAfterApply", "P365D"), one));
        refused.put("maxStallRate must be a fraction within 0..1", plan("PT0S", 1, Map.of("maxStallRate", 1.5), one));
        refused.put("unknown impact field 'stopMachineUs'; valid fields: " + String.join(", ", ImpactPaths.ALL),
                plan("PT0S", 1, gates(Map.of("stopMachineUs", 2500)), one));
        refused.put("unknown impact field 'ksoftirqdMaxDelayNanos'", plan("PT0S", 1, gates(Map.of("ksoftirqdMaxDelayNanos", 1)), one));
        refused.put("insmod.retransSegs needs a finite limit >= 0", plan("PT0S", 1, gates(Map.of("insmod.retransSegs", -1)), one));
        refused.put("a plan needs 1..100 waves", plan("PT0S", 1, gates(Map.of())));
        refused.put("stallAttempts must be within 1..20 (got 0)", with(plan("PT0S", 1, gates(Map.of()), one), "stallAttempts", 0));
        refused.put("stallAttempts must be within 1..20 (got 99)", with(plan("PT0S", 1, gates(Map.of()), one), "stallAttempts", 99));
        refused.put("stallRetryAfter must be within PT0S..PT24H (got PT-1S)", with(plan("PT0S", 1, gates(Map.of()), one), "stallRetryAfter", "-PT1S"));
        refused.put("stallRetryAfter must be within PT0S..PT24H (got PT48H)", with(plan("PT0S", 1, gates(Map.of()), one), "stallRetryAfter", "P2D"));
        int before = fleet.admin.get("/api/v1/rollouts").json().size();
        for (Map.Entry<String, Map<String, Object>> e : refused.entrySet()) {
            FleetClient.Answer a = create("valid_fix", "valid", e.getValue());
            assertThat(a.status()).as(e.getKey() + ": " + a.body()).isEqualTo(400);
            assertThat(a.error()).as(e.getKey()).startsWith("plan: ").contains(e.getKey()).doesNotContain("\n");
        }
        FleetClient.Answer noPatch = fleet.admin.post("/api/v1/rollouts", Map.of("patch", " ", "version", "1"));
        assertThat(noPatch.status()).isEqualTo(400);
        assertThat(noPatch.error()).isEqualTo("patch and version are required");
        assertThat(fleet.admin.get("/api/v1/rollouts").json().size()).as("nothing created").isEqualTo(before);
    }

    @Test
    void aStalledHostRetriesWithItsAttemptInTheDesiredSetAndTheRolloutCompletesWithoutTrippingTheStallGate() throws Exception {
        TestFleet.Host h = hostWithArtifact("retry-1", "retry_fix", "retry");
        Map<String, Object> p = with(with(plan("PT0S", 1, gates(Map.of()), count("all", 1)), "stallAttempts", 3), "stallRetryAfter", "PT0S");
        FleetClient.Answer created = create("retry_fix", "retry", p);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        assertThat(created.json().path("waves").get(0).has("retrying")).isTrue();
        String id = created.json().path("id").asText();
        await().atMost(WAIT).until(() -> h.checkin(null).json().path("desired").path(0).path("attempt").asInt() == 1);

        h.report("retry-a1", "apply", "retry_fix", "1", "stalled-reverted", Evidence.attempt(Evidence.recorded("6.1", "stalled-reverted"), 1));
        await().atMost(WAIT).until(() -> view(id).path("hosts").path(0).path("phase").asText().equals("RETRYING"));
        JsonNode host = view(id).path("hosts").path(0);
        assertThat(host.path("attempt").asInt()).isEqualTo(2);
        assertThat(host.path("notBefore").isTextual()).isTrue();
        assertThat(view(id).path("status").asText()).isEqualTo("RUNNING");
        assertThat(view(id).path("waves").get(0).path("retrying").asInt()).isEqualTo(1);
        JsonNode desired = h.checkin(null).json().path("desired").path(0);
        assertThat(desired.path("attempt").asInt()).as(desired.toString()).isEqualTo(2);
        assertThat(desired.path("notBefore").asText()).isEqualTo(host.path("notBefore").asText());

        h.report("retry-a2", "apply", "retry_fix", "1", "applied", Evidence.attempt(Evidence.recorded("6.1", "applied"), 2));
        await().atMost(WAIT).until(() -> view(id).path("status").asText().equals("COMPLETED"));
        List<String> kinds = new ArrayList<>();
        view(id).path("decisions").forEach(d -> kinds.add(d.path("kind").asText()));
        assertThat(kinds).contains("RETRY_SCHEDULED").doesNotContain("GATE_TRIPPED");
    }

    @Test
    void gatesWithFieldsLeftOutTakeTheirDefaultsAndTheRolloutRuns() throws Exception {
        TestFleet.Host h = hostWithArtifact("defaults-1", "defaults_fix", "defaults");
        Map<String, Object> p = new HashMap<>();
        p.put("waves", List.of(count("all", 1)));
        p.put("soak", "PT0S");
        p.put("gates", Map.of("maxFailureRate", 0.5));
        FleetClient.Answer created = create("defaults_fix", "defaults", p);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asText();
        await().atMost(WAIT).until(() -> h.checkin(null).json().path("desired").size() == 1);
        h.report("d1", "apply", "defaults_fix", "1", "applied");
        await().atMost(WAIT).until(() -> view(id).path("status").asText().equals("COMPLETED"));
    }

    @Test
    void aRolloutWhoseStepThrowsIsPausedWithTheErrorWhileAnotherKeepsMoving() throws Exception {
        TestFleet.Host broken = hostWithArtifact("iso-broken", "iso_broken", "iso-a");
        TestFleet.Host healthy = hostWithArtifact("iso-healthy", "iso_healthy", "iso-b");
        String a = create("iso_broken", "iso-a", plan("PT0S", 1, gates(Map.of()), count("all", 1))).json().path("id").asText();
        String b = create("iso_healthy", "iso-b", plan("PT0S", 1, gates(Map.of()), count("all", 1))).json().path("id").asText();
        await().atMost(WAIT).until(() -> broken.checkin(null).json().path("desired").size() == 1
                && healthy.checkin(null).json().path("desired").size() == 1);

        // A row an older server accepted: a soak the engine's clock arithmetic cannot hold.
        corruptSoak(a, "PT1000000000000000000S");
        broken.report("iso-1", "apply", "iso_broken", "1", "applied");
        await().atMost(WAIT).until(() -> view(a).path("status").asText().equals("PAUSED"));
        JsonNode paused = view(a);
        assertThat(paused.path("haltReason").asText()).startsWith("engine error: DateTimeException");
        List<String> kinds = new ArrayList<>();
        paused.path("decisions").forEach(d -> kinds.add(d.path("kind").asText() + " " + d.path("reason").asText()));
        assertThat(kinds).anySatisfy(d -> assertThat(d).startsWith("ENGINE_ERROR engine error: DateTimeException").contains("paused"));

        FleetClient.Answer resume = fleet.admin.post("/api/v1/rollouts/" + a + "/resume", Map.of("reason", "try again"));
        assertThat(resume.status()).as("resuming would throw again").isEqualTo(409);
        assertThat(resume.error()).contains("engine error: DateTimeException", "abort or roll it back").doesNotContain("\n");

        healthy.report("iso-2", "apply", "iso_healthy", "1", "applied");
        await().atMost(WAIT).until(() -> view(b).path("status").asText().equals("COMPLETED"));
        Thread.sleep(500);
        assertThat(view(a).path("decisions").toString().split("ENGINE_ERROR", -1)).as("the error is recorded once, not every tick").hasSize(2);
        FleetClient.Answer abort = fleet.admin.post("/api/v1/rollouts/" + a + "/abort", Map.of("reason", "broken plan"));
        assertThat(abort.status()).as(abort.body()).isEqualTo(200);
        assertThat(abort.json().path("status").asText()).isEqualTo("ABORTED");
    }

    @Test
    void anImpactGateOnANestedFieldTripsNamingFieldHostAndValue() throws Exception {
        TestFleet.Host a = hostWithArtifact("impact-1", "impact_fix", "impact");
        TestFleet.Host b = hostWithArtifact("impact-2", "impact_fix", "impact");
        // What the agent sent after loading the patch on the 6.12 guest, and a limit below the ksoftirqd delay it measured.
        JsonNode doc = Evidence.recorded("6.12", "applied");
        long limit = Evidence.ksoftirqdLimitBelow(doc);
        String id = create("impact_fix", "impact", plan("PT0S", 1, gates(Map.of("insmod.ksoftirqdMaxDelayNanos", limit)),
                count("canary", 1), Map.of("name", "rest", "kind", "PERCENT", "percent", 100))).json().path("id").asText();
        await().atMost(WAIT).until(() -> a.checkin(null).json().path("desired").size() + b.checkin(null).json().path("desired").size() == 1);
        TestFleet.Host canary = a.checkin(null).json().path("desired").size() == 1 ? a : b;
        long measured = doc.path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asLong();
        assertThat(canary.report("imp-1", "apply", "impact_fix", "1", "applied", doc).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> view(id).path("status").asText().equals("PAUSED"));
        assertThat(view(id).path("haltReason").asText())
                .isEqualTo("gate: host " + canary.id() + " impact insmod.ksoftirqdMaxDelayNanos=" + measured + " over its limit " + limit);
    }

    @Test
    void aResultTheServerDoesNotKnowIsStoredShownAsUnknownAndCountedAsAFailure() throws Exception {
        TestFleet.Host h = hostWithArtifact("unknown-1", "unknown_fix", "unknown");
        String id = create("unknown_fix", "unknown", plan("PT0S", 1, gates(Map.of()), count("all", 1))).json().path("id").asText();
        await().atMost(WAIT).until(() -> h.checkin(null).json().path("desired").size() == 1);
        JsonNode doc = Evidence.forResult("applied-with-quirks", false);
        assertThat(h.report("u1", "apply", "unknown_fix", "1", "applied-with-quirks", doc).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> view(id).path("status").asText().equals("PAUSED"));
        JsonNode v = view(id);
        assertThat(v.path("waves").get(0).path("unknown").asInt()).isEqualTo(1);
        assertThat(v.path("waves").get(0).path("failed").asInt()).isEqualTo(1);
        assertThat(v.path("waves").get(0).path("applying").asInt()).as("the host holds no slot").isZero();
        assertThat(v.path("hosts").get(0).path("phase").asText()).isEqualTo("UNKNOWN");
        assertThat(v.path("hosts").get(0).path("result").asText()).isEqualTo("unknown");
        assertThat(v.path("haltReason").asText()).contains("failure rate 1/1", "does not know", h.id());
        Map<String, Object> stored = fleet.server.database().withHandle(hd -> hd.createQuery(
                "SELECT result, evidence_json FROM host_events WHERE host_id = :h AND event_id = 'u1'").bind("h", h.id()).mapToMap().one());
        assertThat(stored.get("result")).isEqualTo("unknown");
        assertThat(FleetJson.mapper().readTree((String) stored.get("evidence_json")).path("result").asText())
                .as("the raw value stays in the evidence").isEqualTo("applied-with-quirks");
    }

    @Test
    void aFailedUnloadDuringARollbackIsShownAsRollbackFailedUntilTheHostIsSeenWithoutThePatch() throws Exception {
        TestFleet.Host h = hostWithArtifact("unload-1", "unload_fix", "unload");
        String id = create("unload_fix", "unload", plan("PT0S", 1, gates(Map.of()), count("all", 1))).json().path("id").asText();
        await().atMost(WAIT).until(() -> h.checkinWith("unload_fix", "1").json().path("desired").size() == 1);
        h.report("l1", "apply", "unload_fix", "1", "applied");
        await().atMost(WAIT).until(() -> view(id).path("status").asText().equals("COMPLETED"));
        assertThat(fleet.admin.post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "regression")).status()).isEqualTo(200);
        h.checkinWith("unload_fix", "1");
        h.report("l2", "unload", "unload_fix", "1", "revert-stalled", Evidence.forResult("revert-stalled", true));
        await().atMost(WAIT).until(() -> view(id).path("waves").get(0).path("rollbackFailed").asInt() == 1);
        JsonNode v = view(id);
        assertThat(v.path("hosts").get(0).path("phase").asText()).isEqualTo("ROLLBACK_FAILED");
        assertThat(v.path("hosts").get(0).path("result").asText()).isEqualTo("revert-stalled");
        assertThat(v.path("decisions").toString()).contains("ROLLBACK_FAILED", "host " + h.id() + " reported unload revert-stalled");

        // Someone fixed the host by hand: its next check-in lists no patch.
        await().atMost(WAIT).until(() -> {
            h.checkin(null);
            return view(id).path("waves").get(0).path("rolledBack").asInt() == 1;
        });
    }

    @Test
    void anAbortedRolloutWithNothingInFlightIsLeftAloneUntilARollbackGivesItWorkAgain() throws Exception {
        TestFleet.Host h = hostWithArtifact("settled-1", "settled_fix", "settled");
        String id = create("settled_fix", "settled", plan("PT1H", 1, gates(Map.of()), count("all", 1))).json().path("id").asText();
        await().atMost(WAIT).until(() -> h.checkinWith("settled_fix", "1").json().path("desired").size() == 1);
        h.report("s1", "apply", "settled_fix", "1", "applied");
        await().atMost(WAIT).until(() -> view(id).path("waves").get(0).path("applied").asInt() == 1);
        assertThat(fleet.admin.post("/api/v1/rollouts/" + id + "/abort", Map.of("reason", "enough")).status()).isEqualTo(200);
        long revision = view(id).path("revision").asLong();
        Thread.sleep(500);
        assertThat(view(id).path("revision").asLong()).as("an aborted rollout with nothing in flight is not stepped").isEqualTo(revision);

        assertThat(fleet.admin.post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "regression")).status()).isEqualTo(200);
        h.report("s2", "unload", "settled_fix", "1", "unloaded");
        await().atMost(WAIT).until(() -> view(id).path("waves").get(0).path("rolledBack").asInt() == 1);
    }

    /** Rewrites the stored plan's soak, guarded by the row's revision so a concurrent engine step is never overwritten. */
    private static void corruptSoak(String id, String soak) {
        while (true) {
            boolean done = fleet.server.database().withHandle(h -> {
                Map<String, Object> row = h.createQuery("SELECT state_json, revision FROM rollouts WHERE id = :id").bind("id", id).mapToMap().one();
                ObjectNode state;
                try {
                    state = (ObjectNode) FleetJson.mapper().readTree((String) row.get("state_json"));
                } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                    throw new IllegalStateException(e);
                }
                ((ObjectNode) state.path("plan")).put("soak", soak);
                return h.createUpdate("UPDATE rollouts SET state_json = :s, revision = revision + 1 WHERE id = :id AND revision = :rev")
                        .bind("s", state.toString()).bind("id", id).bind("rev", ((Number) row.get("revision")).longValue()).execute() == 1;
            });
            if (done) {
                return;
            }
        }
    }
}
