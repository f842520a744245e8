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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A host that boots into another kernel release is told that release's build of what it keeps. */
class KernelChangeApiTest {
    static final Duration WAIT = Duration.ofSeconds(20);
    static final String K1 = "6.1.0-40-amd64";
    static final String K2 = "6.1.0-41-amd64";
    static final Map<String, Object> PLAN = Map.of("waves", List.of(Map.of("name", "canary", "kind", "COUNT", "count", 1),
                    Map.of("name", "rest", "kind", "PERCENT", "percent", 100)), "soak", "PT1H", "maxConcurrent", 5,
            "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }

    @Test
    void the_canary_of_an_aborted_rollout_keeps_its_patch_and_gets_its_new_kernels_build_in_its_first_check_in() throws Exception {
        try (TestFleet fleet = new TestFleet()) {
            TestFleet.Host a = fleet.enroll("reboot-a", K1, Map.of("fleet", "reboot"));
            TestFleet.Host b = fleet.enroll("reboot-b", K1, Map.of("fleet", "reboot"));
            fleet.admin.post("/api/v1/artifacts", fleet.artifact("reboot_fix", "1", K1));
            fleet.admin.post("/api/v1/artifacts", fleet.artifact("reboot_fix", "1", K2));
            String id = create(fleet.admin, "reboot_fix", "reboot");
            TestFleet.Host canary = waitForCanary(a, b);
            canary.report("apply-1", "apply", "reboot_fix", "1", "applied");
            await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/rollouts/" + id).json().path("soakStartedAt").isTextual());
            assertThat(fleet.admin.post("/api/v1/rollouts/" + id + "/abort", Map.of("reason", "enough")).json().path("status").asText())
                    .isEqualTo("ABORTED");
            FleetClient.Answer onK1 = canary.checkin(null);
            assertThat(sha(onK1)).isEqualTo(artifactSha(fleet, K1));

            FleetClient.Answer onK2 = checkin(canary.api(), canary.id(), K2, onK1.etag());

            assertThat(onK2.status()).as("a new kernel's build is news, not a 304").isEqualTo(200);
            assertThat(sha(onK2)).isEqualTo(artifactSha(fleet, K2));
            assertThat(checkin(canary.api(), canary.id(), K2, onK2.etag()).status()).isEqualTo(304);
        }
    }

    @Test
    void another_server_learns_a_kernel_change_from_the_database() throws Exception {
        DatabaseLocation.Postgres pg = TestDatabases.freshPostgresLocation();
        try (TestFleet a = new TestFleet(pg);
             FleetServer b = FleetServer.start(ServerConfig.of(Files.createTempDirectory("klpfleet-b"), "127.0.0.1", 0)
                     .withDatabase(pg).withAdminToken(TestFleet.ADMIN).withTokenKey(a.dir.resolve("token-hash.key")).withEngineTick(Duration.ofMillis(100))
                     .withTrustKeys(List.of(a.dir.resolve("keys/fleet.pub"))))) {
            TestFleet.Host h1 = a.enroll("moved-1", K1, Map.of("fleet", "moved"));
            TestFleet.Host h2 = a.enroll("moved-2", K1, Map.of("fleet", "moved"));
            a.admin.post("/api/v1/artifacts", a.artifact("moved_fix", "1", K1));
            a.admin.post("/api/v1/artifacts", a.artifact("moved_fix", "1", K2));
            create(a.admin, "moved_fix", "moved");
            TestFleet.Host canary = waitForCanary(h1, h2);

            assertThat(sha(checkin(canary.api(), canary.id(), K2, null))).as("server A, where it checked in").isEqualTo(artifactSha(a, K2));
            // B never saw the host's check-in, so only its cache's reading of the database can tell it the new kernel.
            FleetClient viaB = canary.viaServer(b.uri());
            await().atMost(WAIT).until(() -> artifactSha(a, K2).equals(sha(checkin(viaB, canary.id(), K2, null))));
        }
    }

    private static String create(FleetClient admin, String patch, String fleet) throws Exception {
        FleetClient.Answer created = admin.post("/api/v1/rollouts", Map.of("patch", patch, "version", "1",
                "selector", Map.of("labels", Map.of("fleet", fleet), "kernelReleases", List.of()), "plan", PLAN));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        return created.json().path("id").asText();
    }

    private static TestFleet.Host waitForCanary(TestFleet.Host a, TestFleet.Host b) {
        await().atMost(WAIT).until(() -> a.checkin(null).json().path("desired").size() + b.checkin(null).json().path("desired").size() == 1);
        try {
            return a.checkin(null).json().path("desired").size() == 1 ? a : b;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static FleetClient.Answer checkin(FleetClient api, String hostId, String kernel, String etag) throws Exception {
        return api.postRaw("/api/v1/hosts/" + hostId + "/checkin", "{\"kernelRelease\":\"" + kernel + "\",\"loaded\":[],\"taint\":0}", etag);
    }

    /** The sha256 of the one patch a check-in answer names, or null. */
    private static String sha(FleetClient.Answer a) {
        if (a == null) {
            return null;
        }
        JsonNode desired = a.json().path("desired");
        return desired.size() == 1 ? desired.get(0).path("sha256").asText() : null;
    }

    /** The sha256 the catalog lists for the patch's build on {@code kernel}: an oracle apart from the desired sets. */
    private static String artifactSha(TestFleet fleet, String kernel) throws Exception {
        for (JsonNode p : fleet.admin.get("/api/v1/patches").json()) {
            for (JsonNode v : p.path("versions")) {
                for (JsonNode art : v.path("artifacts")) {
                    if (art.path("kernelRelease").asText().equals(kernel)) {
                        return art.path("sha256").asText();
                    }
                }
            }
        }
        throw new AssertionError("no artifact for " + kernel);
    }
}
