package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.patch.ArtifactUpload;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class FleetApiTest {
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

    @Test
    void everyDocumentedOperationIsServedAndUndocumentedPathsAreNot() throws Exception {
        JsonNode doc = fleet.client(null).get("/api/v1/openapi.json").json();
        List<String> operations = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = doc.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> p = it.next();
            p.getValue().fieldNames().forEachRemaining(m -> operations.add(m.toUpperCase() + " " + p.getKey()));
        }
        assertThat(operations).contains("POST /api/v1/hosts/{hostId}/checkin", "POST /api/v1/artifacts", "POST /api/v1/rollouts/{rolloutId}/rollback",
                "GET /healthz", "GET /metrics", "GET /api/v1/openapi.json", "HEAD /healthz", "HEAD /api/v1/hosts");
        assertThat(operations.stream().filter(o -> o.startsWith("HEAD ")).map(o -> o.substring(5)))
                .as("HEAD wherever GET").containsExactlyInAnyOrderElementsOf(operations.stream().filter(o -> o.startsWith("GET ")).map(o -> o.substring(4)).toList());
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        for (String op : operations) {
            String[] mp = op.split(" ");
            String path = mp[1].replaceAll("\\{[^}]+}", "x");
            if (mp[0].equals("HEAD")) {
                java.net.http.HttpResponse<String> a = http.send(java.net.http.HttpRequest.newBuilder(fleet.server.uri().resolve(path))
                        .method("HEAD", java.net.http.HttpRequest.BodyPublishers.noBody()).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(a.statusCode()).as(op).isNotEqualTo(404).isNotEqualTo(405);
                assertThat(a.body()).as(op).isEmpty();
                continue;
            }
            FleetClient.Answer a = mp[0].equals("GET") ? fleet.client(null).get(path) : fleet.client(null).post(path, Map.of());
            assertThat(a.status()).as(op).isNotEqualTo(404).isNotEqualTo(405);
        }
        assertThat(fleet.client(null).get("/api/v1/nothing-here").status()).isEqualTo(404);
        assertThat(fleet.client(null).get("/api/v1/nothing-here").error()).contains("no such endpoint");
        assertThat(fleet.client(null).get("/metrics").body()).contains("klpfleet_http_requests");
    }

    @Test
    void tokensAreCheckedWithClearReasons() throws Exception {
        assertThat(fleet.client(null).get("/api/v1/hosts").status()).isEqualTo(401);
        assertThat(fleet.client("klpo_bogus").get("/api/v1/hosts").error()).contains("unknown");
        String viewer = fleet.token("viewer-bob", "VIEWER");
        assertThat(fleet.client(viewer).get("/api/v1/hosts").status()).isEqualTo(200);
        FleetClient.Answer denied = fleet.client(viewer).post("/api/v1/rollouts", Map.of("patch", "p", "version", "1"));
        assertThat(denied.status()).isEqualTo(403);
        assertThat(denied.error()).isEqualTo("token 'viewer-bob' has role viewer; this needs operator or higher");

        TestFleet.Host a = fleet.enroll("auth-a", "6.1.0-1-amd64", Map.of());
        TestFleet.Host b = fleet.enroll("auth-b", "6.1.0-1-amd64", Map.of());
        FleetClient.Answer impersonation = a.api().postRaw("/api/v1/hosts/" + b.id() + "/checkin", "{\"kernelRelease\":\"x\",\"loaded\":[],\"taint\":0}", null);
        assertThat(impersonation.status()).isEqualTo(403);
        assertThat(impersonation.error()).contains("only as its own host");
        assertThat(a.api().get("/api/v1/hosts").status()).as("a host is not an operator").isEqualTo(403);
    }

    @Test
    void anUnchangedDesiredSetIsA304() throws Exception {
        TestFleet.Host h = fleet.enroll("etag-host", "6.1.0-9-amd64", Map.of("region", "eu"));
        FleetClient.Answer first = h.checkin(null);
        assertThat(first.status()).isEqualTo(200);
        assertThat(first.json().path("desired").size()).isZero();
        assertThat(first.etag()).isNotBlank();
        FleetClient.Answer again = h.checkin(first.etag());
        assertThat(again.status()).isEqualTo(304);
        assertThat(again.body()).isEmpty();
        assertThat(h.checkin("\"stale\"").status()).isEqualTo(200);
        JsonNode inventory = fleet.admin.get("/api/v1/hosts/" + h.id()).json();
        assertThat(inventory.path("labels").path("region").asText()).isEqualTo("eu");
        assertThat(inventory.path("capabilities").get(0).asText()).isEqualTo("livepatch");
    }

    @Test
    void aCheckInAndAnEventCarryingFieldsANewerAgentAddsAreAcceptedAndWrongTypesStillRefused() throws Exception {
        TestFleet.Host h = fleet.enroll("newer-agent", "6.1.0-11-amd64", Map.of());
        String checkin = "/api/v1/hosts/" + h.id() + "/checkin";
        FleetClient.Answer c = h.api().postRaw(checkin, "{\"kernelRelease\":\"6.1.0-11-amd64\",\"loaded\":[{\"name\":\"p\","
                + "\"version\":\"1\",\"state\":\"enabled\",\"sha256\":null,\"loadedAt\":\"2030-01-01T00:00:00Z\"}],"
                + "\"taint\":0,\"bootId\":\"8c1f\",\"cpuCount\":64}", null);
        assertThat(c.status()).as(c.body()).isEqualTo(200);
        FleetClient.Answer e = h.api().postRaw("/api/v1/hosts/" + h.id() + "/events", "{\"eventId\":\"apply-newer-1\",\"kind\":\"apply\","
                + "\"patch\":\"p\",\"version\":\"1\",\"result\":\"applied\",\"occurredAt\":\"2030-01-01T00:00:00Z\","
                + "\"evidence\":{\"result\":\"applied\"},\"agentVersion\":\"9.9\",\"attempt\":{\"n\":2}}", null);
        assertThat(e.status()).as(e.body()).isEqualTo(201);

        FleetClient.Answer wrongType = h.api().postRaw(checkin, "{\"kernelRelease\":\"6.1.0-11-amd64\",\"loaded\":[],\"taint\":\"lots\"}", null);
        assertThat(wrongType.status()).isEqualTo(400);
        assertThat(wrongType.error()).contains("taint");
    }

    @Test
    void badInputGetsA4xxWithOneLineAndChangesNothing() throws Exception {
        String op = fleet.token("op-carol", "OPERATOR");
        FleetClient carol = fleet.client(op);
        assertThat(carol.postRaw("/api/v1/rollouts", "{\"patch\": ", null).status()).isEqualTo(400);
        assertThat(carol.postRaw("/api/v1/rollouts", "{\"patch\":\"p\",\"bogus\":1}", null).error()).contains("bogus");
        assertThat(raw("POST /api/v1/rollouts", op, "{\"patch\":\"" + "x".repeat(Route.SMALL_BODY) + "\"}", 0)).startsWith("HTTP/1.1 413");
        assertThat(carol.post("/api/v1/rollouts/r_unknown/pause", null).status()).isEqualTo(404);
        assertThat(carol.post("/api/v1/rollouts", Map.of("patch", "ghost", "version", "1")).status()).isEqualTo(404);

        ArtifactUpload good = fleet.artifact("bad_input_fix", "1", "6.1.0-7-amd64");
        byte[] module = Base64.getDecoder().decode(good.module());
        module[module.length - 1] ^= 1;
        ArtifactUpload tampered = new ArtifactUpload(good.manifest(), good.signature(), Base64.getEncoder().encodeToString(module), null, null);
        FleetClient.Answer refused = carol.post("/api/v1/artifacts", tampered);
        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.error()).contains("MODULE_TAMPERED").doesNotContain("\n");
        ArtifactUpload foreign = TestFleet.artifact(dev.klpfleet.protocol.artifact.SigningKeys.generate(), "bad_input_fix", "1", "6.1.0-7-amd64");
        assertThat(carol.post("/api/v1/artifacts", foreign).error()).contains("UNTRUSTED_KEY");
        assertThat(fleet.admin.get("/api/v1/patches").body()).doesNotContain("bad_input_fix");

        assertThat(carol.post("/api/v1/artifacts", good).status()).isEqualTo(201);
        FleetClient.Answer dup = carol.post("/api/v1/artifacts", good);
        assertThat(dup.status()).isEqualTo(409);
        assertThat(dup.error()).startsWith("already uploaded: bad_input_fix 1 for 6.1.0-7-amd64");

        // A body shorter than its Content-Length: the server answers 400 and keeps serving.
        assertThat(raw("POST /api/v1/artifacts", op, "{\"manifest\":\"abc", 5000)).startsWith("HTTP/1.1 400");
        assertThat(fleet.client(null).get("/healthz").status()).isEqualTo(200);
        JsonNode audit = fleet.admin.get("/api/v1/audit").json();
        assertThat(audit.toString()).contains("patch.upload", "refused 422: artifact refused (MODULE_TAMPERED)", "op-carol");
    }

    /** Sends one request over a plain socket (declaring {@code length} bytes if positive) and returns the raw response. */
    static String raw(String requestLine, String token, String body, int length) throws Exception {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        try (Socket s = new Socket(fleet.server.uri().getHost(), fleet.server.uri().getPort())) {
            OutputStream out = s.getOutputStream();
            out.write((requestLine + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer " + token
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + (length > 0 ? length : b.length) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            try {
                out.write(b);
                out.flush();
                s.shutdownOutput();
            } catch (java.io.IOException e) {
                // The server may answer and close before reading an oversized body.
            }
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void aRolloutGoesCanaryThenEveryoneAndReportsHostsWithoutABuild() throws Exception {
        String k1 = "6.1.0-11-amd64";
        String k2 = "6.12.0-3-amd64";
        TestFleet.Host canary = fleet.enroll("ro-canary", k1, Map.of("tier", "canary", "fleet", "ro"));
        TestFleet.Host p1 = fleet.enroll("ro-prod-1", k2, Map.of("tier", "prod", "fleet", "ro"));
        TestFleet.Host p2 = fleet.enroll("ro-prod-2", k1, Map.of("tier", "prod", "fleet", "ro"));
        TestFleet.Host old = fleet.enroll("ro-old", "5.10.0-30-amd64", Map.of("tier", "prod", "fleet", "ro"));
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("ro_fix", "2", k1)).status()).isEqualTo(201);
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("ro_fix", "2", k2)).status()).isEqualTo(201);

        Map<String, Object> plan = Map.of("waves", List.of(Map.of("name", "canary", "kind", "LABEL", "label", "tier=canary"),
                        Map.of("name", "rest", "kind", "PERCENT", "percent", 100)),
                "soak", "PT0.3S", "maxConcurrent", 5,
                "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));
        FleetClient.Answer created = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "ro_fix", "version", "2",
                "selector", Map.of("labels", Map.of("fleet", "ro"), "kernelReleases", List.of()), "plan", plan));
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        String id = created.json().path("id").asText();
        assertThat(created.json().path("noBuild").get(0).asText()).isEqualTo(old.id());

        await().atMost(WAIT).until(() -> canary.checkin(null).json().path("desired").size() == 1);
        JsonNode desired = canary.checkin(null).json().path("desired").get(0);
        assertThat(desired.path("patch").asText()).isEqualTo("ro_fix");
        assertThat(canary.api().get("/api/v1/artifacts/" + desired.path("sha256").asText()).body()).contains("livepatch ro_fix 2 " + k1);
        assertThat(p1.checkin(null).json().path("desired").size()).as("prod waits for the canary").isZero();

        assertThat(canary.report("e1", "apply", "ro_fix", "2", "applied").status()).isEqualTo(201);
        assertThat(canary.report("e1", "apply", "ro_fix", "2", "applied").status()).as("same event twice").isEqualTo(409);
        await().atMost(WAIT).until(() -> p1.checkin(null).json().path("desired").size() == 1 && p2.checkin(null).json().path("desired").size() == 1);
        assertThat(p1.checkin(null).json().path("desired").get(0).path("sha256").asText()).isNotEqualTo(desired.path("sha256").asText());
        p1.report("e2", "apply", "ro_fix", "2", "applied");
        p2.report("e3", "apply", "ro_fix", "2", "applied");
        await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/rollouts/" + id).json().path("status").asText().equals("COMPLETED"));

        JsonNode view = fleet.admin.get("/api/v1/rollouts/" + id).json();
        assertThat(view.path("waves").get(0).path("applied").asInt()).isEqualTo(1);
        assertThat(view.path("waves").get(1).path("applied").asInt()).isEqualTo(2);
        List<String> kinds = new ArrayList<>();
        view.path("decisions").forEach(d -> kinds.add(d.path("kind").asText()));
        assertThat(kinds).containsSubsequence("DISPATCH", "SOAK_STARTED", "WAVE_STARTED", "DISPATCH", "SOAK_STARTED", "COMPLETED");
        assertThat(old.checkin(null).json().path("desired").size()).isZero();
    }

    @Test
    void aFailedCanaryPausesTheRolloutAndRollbackEmptiesTheDesiredSet() throws Exception {
        String k = "6.1.0-12-amd64";
        TestFleet.Host a = fleet.enroll("gate-a", k, Map.of("fleet", "gate"));
        TestFleet.Host b = fleet.enroll("gate-b", k, Map.of("fleet", "gate"));
        fleet.admin.post("/api/v1/artifacts", fleet.artifact("gate_fix", "1", k));
        Map<String, Object> plan = Map.of("waves", List.of(Map.of("name", "one", "kind", "COUNT", "count", 1),
                        Map.of("name", "all", "kind", "PERCENT", "percent", 100)), "soak", "PT0S", "maxConcurrent", 1,
                "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT5M", "impactMax", Map.of(), "action", "PAUSE"));
        String id = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "gate_fix", "version", "1",
                "selector", Map.of("labels", Map.of("fleet", "gate"), "kernelReleases", List.of()), "plan", plan)).json().path("id").asText();
        await().atMost(WAIT).until(() -> a.checkin(null).json().path("desired").size() + b.checkin(null).json().path("desired").size() == 1);
        TestFleet.Host first = a.checkin(null).json().path("desired").size() == 1 ? a : b;
        TestFleet.Host second = first == a ? b : a;
        first.report("g1", "apply", "gate_fix", "1", "stalled-reverted");
        await().atMost(WAIT).until(() -> fleet.admin.get("/api/v1/rollouts/" + id).json().path("status").asText().equals("PAUSED"));
        JsonNode paused = fleet.admin.get("/api/v1/rollouts/" + id).json();
        assertThat(paused.path("haltReason").asText()).contains("stall rate 1/1");
        assertThat(second.checkin(null).json().path("desired").size()).as("the next wave never started").isZero();
        assertThat(fleet.admin.post("/api/v1/rollouts/" + id + "/pause", null).status()).as("already paused").isEqualTo(409);

        FleetClient.Answer rolledBack = fleet.admin.post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "stalls on canary"));
        assertThat(rolledBack.status()).isEqualTo(200);
        assertThat(rolledBack.json().path("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(first.checkin(null).json().path("desired").size()).isZero();
        assertThat(fleet.admin.get("/api/v1/audit").body()).contains("rollout.rollback");
    }
}
