package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.storage.TestDatabases;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Two server processes' worth of servers on one PostgreSQL schema drive one rollout together. */
class SharedPostgresTest {

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }

    @Test
    void twoServersOnOnePostgresDecideEverythingExactlyOnce() throws Exception {
        DatabaseLocation.Postgres pg = TestDatabases.freshPostgresLocation();
        try (TestFleet a = new TestFleet(pg);
             FleetServer b = FleetServer.start(ServerConfig.of(Files.createTempDirectory("klpfleet-b"), "127.0.0.1", 0)
                     .withDatabase(pg).withAdminToken(TestFleet.ADMIN).withTokenKey(a.dir.resolve("token-hash.key")).withEngineTick(Duration.ofMillis(50))
                     .withTrustKeys(List.of(a.dir.resolve("keys/fleet.pub"))))) {
            FleetClient adminB = new FleetClient(b.uri(), TestFleet.ADMIN);
            String k = "6.1.0-20-amd64";
            List<TestFleet.Host> hosts = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                hosts.add(a.enroll("shared-" + i, k, Map.of("fleet", "shared")));
            }
            assertThat(adminB.post("/api/v1/artifacts", a.artifact("shared_fix", "1", k)).status()).isEqualTo(201);
            Map<String, Object> plan = Map.of("waves", List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                            Map.of("name", "all", "kind", "PERCENT", "percent", 100)), "soak", "PT0.2S", "maxConcurrent", 2,
                    "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));
            String id = a.admin.post("/api/v1/rollouts", Map.of("patch", "shared_fix", "version", "1",
                    "selector", Map.of("labels", Map.of("fleet", "shared"), "kernelReleases", List.of()), "plan", plan)).json().path("id").asText();

            // Each host checks in with server B (which learns desired state only from the database) and reports to either.
            Set<String> reported = new HashSet<>();
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                for (TestFleet.Host h : hosts) {
                    JsonNode desired = h.viaServer(b.uri()).postRaw("/api/v1/hosts/" + h.id() + "/checkin",
                            "{\"kernelRelease\":\"" + k + "\",\"loaded\":[],\"taint\":0}", null).json().path("desired");
                    if (desired.size() == 1 && reported.add(h.id())) {
                        h.report("apply-" + h.id(), "apply", "shared_fix", "1", "applied");
                    }
                }
                return adminB.get("/api/v1/rollouts/" + id).json().path("status").asText().equals("COMPLETED");
            });

            JsonNode view = adminB.get("/api/v1/rollouts/" + id).json();
            List<String> dispatched = new ArrayList<>();
            long expectedSeq = 1;
            for (JsonNode d : view.path("decisions")) {
                assertThat(d.path("seq").asLong()).isEqualTo(expectedSeq++);
                if (d.path("kind").asText().equals("DISPATCH")) {
                    d.path("hosts").forEach(hh -> dispatched.add(hh.asText()));
                }
            }
            assertThat(dispatched).as("every host told to apply exactly once").hasSize(6).doesNotHaveDuplicates();
            assertThat(view.path("decisions").toString().split("COMPLETED", -1)).hasSize(2);
        }
    }
}
