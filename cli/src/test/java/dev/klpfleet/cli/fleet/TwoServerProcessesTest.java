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
 * Two {@code klpfleet server} processes on one PostgreSQL schema, both with a rollout engine, drive
 * one rollout while hosts alternate between them: every decision is recorded once, and both serve check-ins.
 */
class TwoServerProcessesTest {
    static final Duration ROLLOUT_LIMIT = Duration.ofMinutes(2);
    static final String KERNEL = "6.12.0-3-amd64";
    static final int HOSTS = 10;

    @TempDir Path dataA;
    @TempDir Path dataB;

    @Test
    void two_processes_sharing_postgresql_decide_each_step_once_and_both_serve_hosts() throws Exception {
        String schema = TestPostgres.freshSchema();
        SimulatedFleet fleet = new SimulatedFleet();
        fleet.trustIn(dataA);
        fleet.trustIn(dataB);
        // Servers sharing a database share the key its token hashes are keyed with: A creates it, B reads it.
        String[] args = {"--db", TestPostgres.url(schema), "--engine-tick", "PT0.05S", "--token-key", dataA.resolve("token-hash.key").toString()};
        try (ServerProcess a = ServerProcess.start(dataA, args); ServerProcess b = ServerProcess.start(dataB, args)) {
            fleet.enroll(a.admin(), HOSTS, KERNEL, Map.of("fleet", "pair"));
            assertThat(b.admin().post("/api/v1/artifacts", fleet.artifact("pair_fix", "3", KERNEL)).status()).isEqualTo(201);
            FleetClient.Answer created = a.admin().post("/api/v1/rollouts", Map.of("patch", "pair_fix", "version", "3",
                    "selector", Map.of("labels", Map.of("fleet", "pair"), "kernelReleases", List.of()),
                    "plan", SimulatedFleet.plan(List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                            Map.of("name", "rest", "kind", "PERCENT", "percent", 100)), "PT0.2S", 3)));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            String id = created.json().path("id").asText();

            long deadline = System.nanoTime() + ROLLOUT_LIMIT.toNanos();
            while (!b.admin().get("/api/v1/rollouts/" + id).json().path("status").asText().equals("COMPLETED")) {
                if (System.nanoTime() > deadline) {
                    fail("rollout not complete within " + ROLLOUT_LIMIT + "; logs:\n" + ServerProcess.tail(a.log) + "\n" + ServerProcess.tail(b.log));
                }
                fleet.round(a.uri, b.uri);
                Thread.sleep(50);
            }

            JsonNode fromA = a.admin().get("/api/v1/rollouts/" + id).json();
            JsonNode fromB = b.admin().get("/api/v1/rollouts/" + id).json();
            assertThat(fromA.path("decisions")).as("one decision log, whichever server is asked").isEqualTo(fromB.path("decisions"));
            List<String> dispatched = new ArrayList<>();
            long seq = 1;
            int completed = 0;
            for (JsonNode d : fromA.path("decisions")) {
                assertThat(d.path("seq").asLong()).isEqualTo(seq++);
                if (d.path("kind").asText().equals("DISPATCH")) {
                    d.path("hosts").forEach(h -> dispatched.add(h.asText()));
                }
                completed += d.path("kind").asText().equals("COMPLETED") ? 1 : 0;
            }
            assertThat(dispatched).as("every host told to apply exactly once").hasSize(HOSTS).doesNotHaveDuplicates();
            assertThat(completed).isEqualTo(1);
            assertThat(fleet.applied).hasSize(HOSTS);
            assertThat(fleet.answered.get(a.uri)).as("server A served check-ins").isPositive();
            assertThat(fleet.answered.get(b.uri)).as("server B served check-ins").isPositive();
            // Half the hosts only ever talk to B, half only to A: each learned its desired set from the server it talks to.
            assertThat(fleet.toldToApply).hasSize(HOSTS);
        } finally {
            TestPostgres.drop(schema);
        }
    }
}
