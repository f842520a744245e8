package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.storage.TestDatabases;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Enrollment labels bind; the audit log says who did what from where, refusals and failed sign-ins included. */
class LabelsAndAuditApiTest {
    static final Duration WAIT = Duration.ofSeconds(10);

    static Stream<String> databases() {
        return Stream.of("sqlite", "postgresql");
    }

    static TestFleet fleet(String kind) throws Exception {
        return new TestFleet(kind.equals("sqlite") ? null : TestDatabases.freshPostgresLocation());
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aHostCannotOverrideItsEnrollmentTokensLabelsAndLandInProdsWaves(String kind) throws Exception {
        try (TestFleet fleet = fleet(kind)) {
            String k = "6.1.0-30-amd64";
            TestFleet.Host liar = fleet.enroll("liar", k, Map.of("fleet", "bind", "tier", "canary"), Map.of("tier", "prod", "zone", "a"));
            TestFleet.Host prod = fleet.enroll("prod-1", k, Map.of("fleet", "bind", "tier", "prod"), Map.of());

            JsonNode view = fleet.admin.get("/api/v1/hosts/" + liar.id()).json();
            assertThat(view.path("labels").path("tier").asText()).as("binding, from the token").isEqualTo("canary");
            assertThat(view.path("hostLabels").path("tier").asText()).as("what the host claimed, kept apart").isEqualTo("prod");
            assertThat(view.path("hostLabels").path("zone").asText()).isEqualTo("a");
            assertThat(view.path("labels").has("zone")).as("a claimed label is not binding").isFalse();

            assertThat(fleet.admin.get("/api/v1/hosts?label=tier%3Dprod").json().findValuesAsText("id")).containsExactly(prod.id());
            assertThat(fleet.admin.get("/api/v1/hosts?hostLabel=tier%3Dprod").json().findValuesAsText("id")).containsExactly(liar.id());

            assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("bind_fix", "1", k)).status()).isEqualTo(201);
            JsonNode rollout = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "bind_fix", "version", "1",
                    "selector", Map.of("labels", Map.of("fleet", "bind", "tier", "prod"), "kernelReleases", List.of()))).json();
            assertThat(rollout.path("hosts").findValuesAsText("hostId")).as("prod's waves").containsExactly(prod.id());

            JsonNode byClaim = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "bind_fix", "version", "1",
                    "selector", Map.of("labels", Map.of("fleet", "bind"), "hostLabels", Map.of("zone", "a"), "kernelReleases", List.of()))).json();
            assertThat(byClaim.path("hosts").findValuesAsText("hostId")).as("the operator asked for host-claimed labels")
                    .containsExactly(liar.id());
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void enrollmentsTokenIssueAndRevokeAndRefusedUploadsAndRolloutsAreAuditedWithTheirSource(String kind) throws Exception {
        try (TestFleet fleet = fleet(kind)) {
            JsonNode enrollment = fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", "rack-7", "labels", Map.of("rack", "7"))).json();
            String hostId = fleet.client(enrollment.path("token").asText()).post("/api/v1/enroll",
                    new EnrollRequest("audited-host", "6.1.0-31-amd64", "debian 12", Map.of("tier", "prod"), List.of())).json().path("hostId").asText();
            JsonNode issued = fleet.admin.post("/api/v1/tokens", Map.of("name", "auditor-ann", "role", "OPERATOR")).json();
            FleetClient ann = fleet.client(issued.path("token").asText());

            assertThat(ann.postRaw("/api/v1/artifacts", "{\"manifest\": ", null).status()).isEqualTo(400);
            ArtifactUpload good = fleet.artifact("audited_fix", "1", "6.1.0-31-amd64");
            ArtifactUpload unsigned = new ArtifactUpload(good.manifest(), good.manifest(), good.module(), "x", List.of());
            assertThat(ann.post("/api/v1/artifacts", unsigned).status()).isEqualTo(422);
            assertThat(ann.post("/api/v1/rollouts", Map.of("patch", "ghost", "version", "1")).status()).isEqualTo(404);
            assertThat(ann.postRaw("/api/v1/rollouts", "{\"patch\":\"p\",\"bogus\":1}", null).status()).isEqualTo(400);
            assertThat(ann.post("/api/v1/artifacts", good).status()).isEqualTo(201);
            FleetClient.Answer created = ann.post("/api/v1/rollouts", Map.of("patch", "audited_fix", "version", "1"));
            assertThat(created.status()).as(created.body()).isEqualTo(201);
            assertThat(fleet.admin.post("/api/v1/tokens", Map.of("name", "engine", "role", "ADMIN")).status()).isEqualTo(400);
            assertThat(fleet.admin.post("/api/v1/tokens/" + issued.path("id").asText() + "/revoke", null).status()).isEqualTo(200);

            List<JsonNode> log = new ArrayList<>();
            fleet.admin.get("/api/v1/audit").json().forEach(log::add);
            assertThat(log).allSatisfy(e -> assertThat(e.path("source").asText()).isEqualTo("127.0.0.1"));
            assertThat(entry(log, "host.enroll", hostId).path("tokenName").asText()).isEqualTo("rack-7");
            assertThat(entry(log, "host.enroll", hostId).path("outcome").asText()).contains("labels {rack=7}", "host-claimed labels {tier=prod}");
            assertThat(entry(log, "enrollment-token.issue", enrollment.path("id").asText()).path("outcome").asText()).contains("rack=7");
            assertThat(entry(log, "token.issue", issued.path("id").asText()).path("outcome").asText()).contains("OPERATOR", "auditor-ann");
            assertThat(entry(log, "token.revoke", issued.path("id").asText()).path("outcome").asText()).contains("revoked");
            assertThat(outcomes(log, "patch.upload", "auditor-ann")).anySatisfy(o -> assertThat(o).startsWith("refused 400"))
                    .anySatisfy(o -> assertThat(o).startsWith("refused 422").contains("SIGNATURE"));
            assertThat(outcomes(log, "rollout.create", "auditor-ann")).anySatisfy(o -> assertThat(o).startsWith("refused 404"))
                    .anySatisfy(o -> assertThat(o).startsWith("refused 400").contains("bogus"));
            assertThat(entry(log, "rollout.create", created.json().path("id").asText()).path("outcome").asText())
                    .as("a rollout that was created").startsWith("audited_fix 1 to ");
            assertThat(outcomes(log, "patch.upload", "auditor-ann")).anySatisfy(o -> assertThat(o).startsWith("stored sha256:"));
            assertThat(outcomes(log, "token.issue", TestFleet.ADMIN_NAME)).anySatisfy(o -> assertThat(o).startsWith("refused 400").contains("reserved"));
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void aBodyRefusedBeforeItsRouteRanTooLargeOrTruncatedIsAuditedWithWhoAndWhere(String kind) throws Exception {
        try (TestFleet fleet = fleet(kind)) {
            String token = fleet.token("auditor-bob", "OPERATOR");
            String tooLarge = "POST /api/v1/rollouts HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (Route.SMALL_BODY + 1) + "\r\n\r\n";
            assertThat(RawHttp.exchange(fleet.server.uri(), tooLarge).status()).isEqualTo(413);
            // A body announced as 100 bytes whose sender stops after 10 and closes its side.
            try (java.net.Socket s = new java.net.Socket(fleet.server.uri().getHost(), fleet.server.uri().getPort())) {
                s.setSoTimeout((int) RawHttp.ANSWER_WAIT.toMillis());
                s.getOutputStream().write(("POST /api/v1/artifacts HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " + token
                        + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"manifest").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                s.shutdownOutput();
                assertThat(RawHttp.read(s.getInputStream()).status()).isEqualTo(400);
            }

            List<JsonNode> log = new ArrayList<>();
            fleet.admin.get("/api/v1/audit").json().forEach(log::add);
            assertThat(entry(log, "request.refused", "POST /api/v1/rollouts").path("outcome").asText()).startsWith("refused 413: ")
                    .contains("limit of " + Route.SMALL_BODY + " bytes");
            assertThat(entry(log, "request.refused", "POST /api/v1/artifacts").path("outcome").asText()).startsWith("refused 400: ")
                    .contains("truncated");
            assertThat(outcomes(log, "request.refused", "auditor-bob")).hasSize(2);
            assertThat(log).filteredOn(e -> e.path("action").asText().equals("request.refused"))
                    .allSatisfy(e -> assertThat(e.path("source").asText()).isEqualTo("127.0.0.1"));
        }
    }

    @Test
    void failedSignInsAreAuditedAtMostOncePerSourceAndWindowAndThenCounted() throws Exception {
        try (TestFleet fleet = new TestFleet(); FleetServer quick = FleetServer.start(ServerConfig.of(Files.createTempDirectory("klpfleet-signin"),
                "127.0.0.1", 0).withAdminToken(TestFleet.ADMIN).withSignInAuditWindow(Duration.ofMillis(500)))) {
            for (int i = 0; i < 5; i++) {
                assertThat(fleet.client("klpo_guess" + i).get("/api/v1/hosts").status()).isEqualTo(401);
            }
            assertThat(fleet.client(null).get("/api/v1/hosts").status()).as("no token is not a failed sign-in").isEqualTo(401);
            assertThat(fleet.client("klpo_guess").get("/healthz").status()).as("a public route checks no token").isEqualTo(200);
            List<JsonNode> fails = failures(fleet.admin);
            assertThat(fails).hasSize(1);
            assertThat(fails.get(0).path("source").asText()).isEqualTo("127.0.0.1");
            assertThat(fails.get(0).path("outcome").asText()).contains("operator token refused on GET /api/v1/hosts").doesNotContain("klpo_guess");

            FleetClient admin = new FleetClient(quick.uri(), TestFleet.ADMIN);
            for (int i = 0; i < 4; i++) {
                assertThat(new FleetClient(quick.uri(), "klph_guess" + i).postRaw("/api/v1/hosts/h_x/checkin", "{}", null).status()).isEqualTo(401);
            }
            assertThat(failures(admin)).hasSize(1);
            await().atMost(WAIT).until(() -> failures(admin).size() == 2);
            assertThat(failures(admin).get(0).path("outcome").asText()).contains("refused 3 more time(s)", "host credential");
        }
    }

    private static List<JsonNode> failures(FleetClient admin) throws Exception {
        List<JsonNode> out = new ArrayList<>();
        admin.get("/api/v1/audit").json().forEach(e -> {
            if (e.path("action").asText().equals("auth.fail")) {
                out.add(e);
            }
        });
        return out;
    }

    private static JsonNode entry(List<JsonNode> log, String action, String target) {
        return log.stream().filter(e -> e.path("action").asText().equals(action) && e.path("target").asText().equals(target)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + action + " of " + target + " in " + log));
    }

    private static List<String> outcomes(List<JsonNode> log, String action, String tokenName) {
        return log.stream().filter(e -> e.path("action").asText().equals(action) && e.path("tokenName").asText().equals(tokenName))
                .map(e -> e.path("outcome").asText()).toList();
    }
}
