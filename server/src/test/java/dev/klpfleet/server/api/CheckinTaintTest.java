package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.BadTaint;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A host whose check-in taint gains a bad flag trips the gates of the rollouts it is in; livepatch's own flags do not. */
class CheckinTaintTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** K (livepatch), O (out-of-tree) and E (unsigned): what loading a livepatch module sets by itself. */
    static final long LIVEPATCH_TAINT = (1L << 15) | (1L << 12) | (1L << 13);
    static TestFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new TestFleet();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    @Test
    void a_warning_taint_after_applying_pauses_the_rollout_before_the_next_wave() throws Exception {
        String id = rolloutOfTwo("warn_fix", "warn");
        TestFleet.Host canary = applyCanary(id, "warn");
        assertThat(checkin(canary, "warn_fix", LIVEPATCH_TAINT | BadTaint.WARN)).isEqualTo(200);

        await().atMost(WAIT).until(() -> status(id).equals("PAUSED"));
        JsonNode paused = fleet.admin.get("/api/v1/rollouts/" + id).json();
        assertThat(paused.path("haltReason").asText()).contains(canary.id(), "new bad taint");
        assertThat(paused.path("waves").get(1).path("pending").asInt()).as("the second wave never started").isEqualTo(1);
        List<String> events = healthEvents(canary);
        assertThat(events).hasSize(1);
        JsonNode evidence = dev.klpfleet.server.host.FleetJson.mapper().readTree(events.get(0));
        assertThat(evidence.path("newFlags").asText()).isEqualTo("W");
        assertThat(evidence.path("previousTaint").asLong()).isEqualTo(0);
        assertThat(evidence.path("taint").asLong()).isEqualTo(LIVEPATCH_TAINT | BadTaint.WARN);

        // The same taint on later check-ins is not news.
        checkin(canary, "warn_fix", LIVEPATCH_TAINT | BadTaint.WARN);
        assertThat(healthEvents(canary)).hasSize(1);
    }

    @Test
    void the_flags_a_livepatch_sets_by_itself_let_the_rollout_go_on() throws Exception {
        String id = rolloutOfTwo("clean_fix", "clean");
        TestFleet.Host canary = applyCanary(id, "clean");
        checkin(canary, "clean_fix", LIVEPATCH_TAINT);

        await().atMost(WAIT).until(() -> !status(id).equals("RUNNING")
                || fleet.admin.get("/api/v1/rollouts/" + id).json().path("currentWave").asInt() == 1);
        assertThat(status(id)).isEqualTo("RUNNING");
        assertThat(healthEvents(canary)).isEmpty();
    }

    @Test
    void a_check_in_whose_taint_could_not_be_read_is_neither_clean_nor_news() throws Exception {
        TestFleet.Host h = fleet.enroll("unreadable-taint", "6.1.0-30-amd64", Map.of("fleet", "unreadable"));
        long warned = LIVEPATCH_TAINT | BadTaint.WARN;
        assertThat(checkinRaw(h, ",\"taint\":" + warned)).isEqualTo(200);
        assertThat(healthEvents(h)).as("W is new on the first reading").hasSize(1);

        assertThat(checkinRaw(h, "")).as("taint absent").isEqualTo(200);
        assertThat(checkinRaw(h, ",\"taint\":null")).as("taint null").isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> assertThat(fleet.admin.get("/api/v1/hosts/" + h.id()).json().path("taint").asLong())
                .as("the last known taint is kept, not replaced by 0").isEqualTo(warned));

        assertThat(checkinRaw(h, ",\"taint\":" + warned)).isEqualTo(200);
        assertThat(healthEvents(h)).as("the same W read again after unknown readings is not a new bad taint").hasSize(1);
    }

    @Test
    void a_host_that_never_could_read_its_taint_shows_it_as_unknown() throws Exception {
        TestFleet.Host h = fleet.enroll("never-read-taint", "6.1.0-30-amd64", Map.of("fleet", "never-read"));
        assertThat(h.api().postRaw("/api/v1/hosts/" + h.id() + "/checkin", "{\"kernelRelease\":\"" + h.kernel() + "\",\"loaded\":[{\"name\":"
                + "\"p\",\"version\":\"1\",\"state\":\"enabled\",\"sha256\":null}]}", null).status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/hosts/" + h.id()).json().path("loaded").size() == 1);
        assertThat(fleet.admin.get("/api/v1/hosts/" + h.id()).json().path("taint").isNull()).as("unknown, not 0").isTrue();
        assertThat(healthEvents(h)).isEmpty();
    }

    private static int checkinRaw(TestFleet.Host h, String taintField) throws Exception {
        return h.api().postRaw("/api/v1/hosts/" + h.id() + "/checkin", "{\"kernelRelease\":\"" + h.kernel() + "\",\"loaded\":[]"
                + taintField + "}", null).status();
    }

    private static final Map<String, List<TestFleet.Host>> BY_LABEL = new java.util.concurrent.ConcurrentHashMap<>();

    private static String rolloutOfTwo(String patch, String label) throws Exception {
        String k = "6.1.0-30-amd64";
        List<TestFleet.Host> hosts = List.of(fleet.enroll(label + "-a", k, Map.of("fleet", label)), fleet.enroll(label + "-b", k, Map.of("fleet", label)));
        BY_LABEL.put(label, hosts);
        for (TestFleet.Host h : hosts) {
            assertThat(h.checkin(null).status()).isEqualTo(200);
        }
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact(patch, "1", k)).status()).isEqualTo(201);
        Map<String, Object> plan = Map.of("waves", List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                        Map.of("name", "rest", "kind", "PERCENT", "percent", 100)), "soak", "PT2S", "maxConcurrent", 1,
                "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));
        FleetClient.Answer created = fleet.admin.post("/api/v1/rollouts", Map.of("patch", patch, "version", "1",
                "selector", Map.of("labels", Map.of("fleet", label), "kernelReleases", List.of()), "plan", plan));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    /** Waits for the canary to be told to apply, and has it report success. */
    private static TestFleet.Host applyCanary(String rolloutId, String label) throws Exception {
        List<TestFleet.Host> hosts = BY_LABEL.get(label);
        await().atMost(WAIT).until(() -> hosts.stream().anyMatch(CheckinTaintTest::toldToApply));
        TestFleet.Host canary = hosts.stream().filter(CheckinTaintTest::toldToApply).findFirst().orElseThrow();
        String patch = fleet.admin.get("/api/v1/rollouts/" + rolloutId).json().path("patch").asText();
        assertThat(canary.report("apply-" + patch, "apply", patch, "1", "applied").status()).isEqualTo(201);
        return canary;
    }

    private static boolean toldToApply(TestFleet.Host h) {
        try {
            return h.checkin(null).json().path("desired").size() == 1;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static int checkin(TestFleet.Host h, String patch, long taint) throws Exception {
        return h.api().postRaw("/api/v1/hosts/" + h.id() + "/checkin", "{\"kernelRelease\":\"" + h.kernel() + "\",\"loaded\":[{\"name\":\""
                + patch + "\",\"version\":\"1\",\"state\":\"enabled\",\"sha256\":null}],\"taint\":" + taint + "}", null).status();
    }

    private static String status(String id) throws Exception {
        return fleet.admin.get("/api/v1/rollouts/" + id).json().path("status").asText();
    }

    /** The evidence of every health event stored for {@code h}. */
    private static List<String> healthEvents(TestFleet.Host h) {
        return fleet.server.database().withHandle(x -> x.createQuery("SELECT evidence_json FROM host_events WHERE host_id = :h AND kind = 'health' "
                + "ORDER BY received_at").bind("h", h.id()).mapTo(String.class).list());
    }
}
