package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.api.FleetClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code klpfleet server} killed with SIGKILL in the middle of a rollout, right after hosts reported
 * results the engine has not acted on yet, and started again on the same data: the rollout goes on
 * from where it was, nothing decided before the crash is lost or changed, and nothing is decided twice.
 */
class ServerRestartTest {
    /** Upper bound for the whole rollout, including the restarted engine waiting out the dead one's lease (10 s each time). */
    static final Duration ROLLOUT_LIMIT = Duration.ofMinutes(2);
    static final String KERNEL = "6.1.0-20-amd64";
    static final int HOSTS = 8;
    static final int KILLS = 2;

    @TempDir Path data;

    @Test
    void a_sqlite_server_killed_twice_mid_rollout_finishes_it_exactly_once_after_restarts() throws Exception {
        killAndRestartDuringARollout();
    }

    @Test
    void a_postgresql_server_killed_twice_mid_rollout_finishes_it_exactly_once_after_restarts() throws Exception {
        String schema = TestPostgres.freshSchema();
        try {
            killAndRestartDuringARollout("--db", TestPostgres.url(schema));
        } finally {
            TestPostgres.drop(schema);
        }
    }

    private void killAndRestartDuringARollout(String... dbArgs) throws Exception {
        String[] args = concat(dbArgs, "--engine-tick", "PT0.2S");
        SimulatedFleet fleet = new SimulatedFleet();
        fleet.trustIn(data);
        ServerProcess server = ServerProcess.start(data, args);
        try {
            fleet.enroll(server.admin(), HOSTS, KERNEL, Map.of("fleet", "crash"));
            assertThat(server.admin().post("/api/v1/artifacts", fleet.artifact("crash_fix", "1", KERNEL)).status()).isEqualTo(201);
            FleetClient.Answer created = server.admin().post("/api/v1/rollouts", Map.of("patch", "crash_fix", "version", "1",
                    "selector", Map.of("labels", Map.of("fleet", "crash"), "kernelReleases", List.of()),
                    "plan", SimulatedFleet.plan(List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                            Map.of("name", "half", "kind", "PERCENT", "percent", 50),
                            Map.of("name", "all", "kind", "PERCENT", "percent", 100)), "PT0.5S", 2)));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().path("id").asText();

            List<JsonNode> beforeKills = new ArrayList<>();
            long deadline = System.nanoTime() + ROLLOUT_LIMIT.toNanos();
            while (!status(server, id).equals("COMPLETED")) {
                if (System.nanoTime() > deadline) {
                    fail("rollout not complete within " + ROLLOUT_LIMIT + "; server log:\n" + ServerProcess.tail(server.log));
                }
                int reported = fleet.round(server.uri);
                if (reported > 0 && beforeKills.size() < KILLS) {
                    // Results are stored, the engine's answer to them (soak, next wave, dispatch) is still to come: crash now.
                    beforeKills.add(server.admin().get("/api/v1/rollouts/" + id).json().path("decisions"));
                    server.kill();
                    server = ServerProcess.start(data, args);
                }
                Thread.sleep(100);
            }

            assertThat(beforeKills).hasSize(KILLS);
            JsonNode decisions = server.admin().get("/api/v1/rollouts/" + id).json().path("decisions");
            for (JsonNode before : beforeKills) {
                for (int i = 0; i < before.size(); i++) {
                    assertThat(decisions.get(i)).as("decision recorded before the crash is kept as it was").isEqualTo(before.get(i));
                }
            }
            List<String> dispatched = new ArrayList<>();
            List<String> kinds = new ArrayList<>();
            long seq = 1;
            for (JsonNode d : decisions) {
                assertThat(d.path("seq").asLong()).as("decision sequence has no gap or repeat").isEqualTo(seq++);
                kinds.add(d.path("kind").asText());
                if (d.path("kind").asText().equals("DISPATCH")) {
                    d.path("hosts").forEach(h -> dispatched.add(h.asText()));
                }
            }
            assertThat(dispatched).as("every host told to apply exactly once").hasSize(HOSTS).doesNotHaveDuplicates();
            assertThat(kinds).containsSubsequence("DISPATCH", "SOAK_STARTED", "WAVE_STARTED", "DISPATCH", "SOAK_STARTED",
                    "WAVE_STARTED", "DISPATCH", "SOAK_STARTED", "COMPLETED");
            assertThat(kinds.stream().filter(k -> k.equals("COMPLETED"))).hasSize(1);
            assertThat(fleet.applied).hasSize(HOSTS);
            JsonNode rollout = server.admin().get("/api/v1/rollouts/" + id).json();
            int applied = 0;
            for (JsonNode w : rollout.path("waves")) {
                applied += w.path("applied").asInt();
            }
            assertThat(applied).isEqualTo(HOSTS);
            assertThat(server.admin().get("/api/v1/hosts").json().size()).as("no enrolled host lost").isEqualTo(HOSTS);
        } finally {
            server.close();
        }
    }

    private static String status(ServerProcess server, String id) throws Exception {
        return server.admin().get("/api/v1/rollouts/" + id).json().path("status").asText();
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
