package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every bad input a client can send is answered with a 4xx and the API's one-line JSON error,
 * changes nothing, and makes the server log no error and no stack trace. Run on SQLite and PostgreSQL.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class BadInputContract {
    TestFleet fleet;
    ServerLog log;
    TestFleet.Host host;
    String enrollToken;

    /** The database this run's server uses; null for SQLite in the data directory. */
    abstract DatabaseLocation database();

    @BeforeAll
    void start() throws Exception {
        fleet = new TestFleet(database());
        log = new ServerLog();
        host = fleet.enroll("bad-input-host", "6.1.0-20-amd64", Map.of("tier", "canary"));
        enrollToken = fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", "bad-input")).json().path("token").asText();
    }

    @BeforeEach
    void forgetEarlierLogLines() {
        log.clear();
    }

    @AfterAll
    void stop() {
        log.close();
        fleet.close();
    }

    /** Asserts a clean refusal: the status, a JSON body with a one-line error, and nothing logged as an error. */
    private void refused(int status, int got, String body) {
        assertThat(got).as(body).isEqualTo(status);
        JsonNode error;
        try {
            error = FleetJson.mapper().readTree(body);
        } catch (java.io.IOException e) {
            throw new AssertionError("the refusal is not JSON: " + body, e);
        }
        assertThat(error.path("error").isTextual()).as("an ApiError: " + body).isTrue();
        assertThat(error.path("error").asText()).doesNotContain("\n").isNotBlank();
        assertThat(log.errorsAndStackTraces()).as("server log after a bad request").isEmpty();
    }

    private void refused(int status, FleetClient.Answer a) {
        refused(status, a.status(), a.body());
    }

    private void refused(int status, RawHttp.Answer a) {
        assertThat(a.head()).containsIgnoringCase("content-type: application/json");
        refused(status, a.status(), a.body());
    }

    private FleetClient.Answer event(String json) throws Exception {
        return host.api().postRaw("/api/v1/hosts/" + host.id() + "/events", json, null);
    }

    private FleetClient.Answer enroll(String json) throws Exception {
        return fleet.client(enrollToken).postRaw("/api/v1/enroll", json, null);
    }

    @Test
    void aMalformedQueryStringIsA400NotA500() throws Exception {
        refused(400, RawHttp.exchange(fleet.server.uri(), "GET /healthz?%zz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"));
        refused(400, RawHttp.exchange(fleet.server.uri(), "GET /api/v1/hosts?%zz HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + TestFleet.ADMIN + "\r\nConnection: close\r\n\r\n"));
    }

    @Test
    void jettysOwnRefusalsAreTheApisJsonError() throws Exception {
        refused(400, RawHttp.exchange(fleet.server.uri(), "GET /healthz HTTP/1.1\r\nHost: t\r\nno colon here\r\n\r\n"));
        refused(414, RawHttp.exchange(fleet.server.uri(), "GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: t\r\n\r\n"));
        refused(431, RawHttp.exchange(fleet.server.uri(), "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + "b".repeat(20_000) + "\r\n\r\n"));
    }

    @Test
    void anEventWithoutKindOrResultOrWithAnImpossibleTimeIsRefused() throws Exception {
        refused(400, event("{\"eventId\":\"e-nokind\",\"patch\":\"p\",\"version\":\"1\",\"result\":\"applied\"}"));
        refused(400, event("{\"eventId\":\"e-noresult\",\"kind\":\"apply\",\"patch\":\"p\",\"version\":\"1\"}"));
        refused(400, event("{\"eventId\":\"e-year\",\"kind\":\"apply\",\"patch\":\"p\",\"version\":\"1\",\"result\":\"applied\","
                + "\"occurredAt\":\"+1000000000-01-01T00:00:00Z\"}"));
        refused(400, event("{\"eventId\":\"e-type\",\"kind\":\"apply\",\"patch\":5,\"version\":\"1\",\"result\":\"applied\"}"));
        refused(400, event("{\"eventId\":\"e-dup\",\"eventId\":\"e-dup2\",\"kind\":\"apply\",\"patch\":\"p\",\"version\":\"1\",\"result\":\"applied\"}"));
    }

    @Test
    void ttlHoursIsAWholeNumberInRange() throws Exception {
        for (String ttl : List.of("9223372036854775807", "\"5\"", "1.9", "true", "0", "-1")) {
            refused(400, fleet.admin.postRaw("/api/v1/enrollment-tokens", "{\"name\":\"ttl\",\"ttlHours\":" + ttl + "}", null));
        }
        assertThat(fleet.admin.postRaw("/api/v1/enrollment-tokens", "{\"name\":\"ttl\",\"ttlHours\":5}", null).status()).isEqualTo(201);
    }

    @Test
    void operatorRequestsRefuseCoercionAndDuplicateKeys() throws Exception {
        refused(400, fleet.admin.postRaw("/api/v1/tokens", "{\"name\":5,\"role\":\"VIEWER\"}", null));
        refused(400, fleet.admin.postRaw("/api/v1/tokens", "{\"name\":\"a\",\"name\":\"b\",\"role\":\"VIEWER\"}", null));
        refused(400, fleet.admin.postRaw("/api/v1/tokens", "{\"name\":\"a\",\"role\":0}", null));
        refused(400, fleet.admin.postRaw("/api/v1/tokens", "{\"name\":\"a\\u0000b\",\"role\":\"VIEWER\"}", null));
        refused(400, fleet.admin.postRaw("/api/v1/rollouts", "{\"patch\":\"p\",\"version\":\"1\",\"selector\":{\"labels\":{\"tier\":null}}}", null));
        refused(400, fleet.admin.postRaw("/api/v1/rollouts", "{\"patch\":\"p\",\"version\":1}", null));
        refused(400, fleet.admin.postRaw("/api/v1/rollouts", "{\"patch\":\"p\",\"version\":\"1\",\"plan\":{\"maxConcurrent\":\"5\"}}", null));
    }

    @Test
    void hostRequestsRefuseWrongTypesAndDuplicatesButIgnoreUnknownFields() throws Exception {
        String ok = "{\"hostname\":\"web-9.example.org\",\"kernelRelease\":\"6.1.0-20-amd64\",\"distro\":\"debian 12\",\"labels\":{},\"capabilities\":[]";
        refused(400, enroll("{\"hostname\":5,\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"" + "h".repeat(200_000) + "\",\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"" + "a.".repeat(127) + "b\",\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"web\\u0000x\",\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"web\\r\\nX-Evil: 1\",\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"web-1\",\"hostname\":\"web-2\",\"kernelRelease\":\"6.1.0-20-amd64\"}"));
        refused(400, enroll("{\"hostname\":\"web-1\",\"kernelRelease\":\"6.1.0-20-amd64\",\"labels\":{\"tier\":\"a b\\n\"}}"));
        refused(400, enroll("{\"hostname\":\"web-1\",\"kernelRelease\":\"6.1.0-20-amd64\",\"labels\":{\"../x\":\"a\"}}"));
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 100; i++) {
            many.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
        }
        refused(400, enroll("{\"hostname\":\"web-1\",\"kernelRelease\":\"6.1.0-20-amd64\",\"labels\":" + many + "}}"));
        refused(400, host.api().postRaw("/api/v1/hosts/" + host.id() + "/checkin", "{\"kernelRelease\":\"6.1.0-20-amd64\",\"loaded\":[],\"taint\":\"0\"}", null));
        refused(400, host.api().postRaw("/api/v1/hosts/" + host.id() + "/checkin", "{\"kernelRelease\":\"6.1.0-20-amd64\",\"taint\":0,\"taint\":1}", null));
        refused(400, host.api().postRaw("/api/v1/hosts/" + host.id() + "/checkin", "{\"kernelRelease\":\"6.1.0-20-amd64\",\"taint\":1.5}", null));

        // The forward-compatibility rule: a field a newer agent adds is ignored, not refused.
        assertThat(enroll(ok + ",\"fromTheFuture\":{\"x\":1}}").status()).isEqualTo(201);
        assertThat(host.api().postRaw("/api/v1/hosts/" + host.id() + "/checkin",
                "{\"kernelRelease\":\"6.1.0-20-amd64\",\"loaded\":[],\"taint\":0,\"fromTheFuture\":true}", null).status()).isEqualTo(200);
        assertThat(log.errorsAndStackTraces()).isEmpty();
    }

    @Test
    void uploadsAreRefusedForUnsafeNamesAndUnboundedCatalogFields() throws Exception {
        byte[] module = "\u007fELF evil".getBytes(StandardCharsets.UTF_8);
        ArtifactUpload traversal = TestFleet.artifact(fleet.key, "../../evil", "1", "6.1.0-20-amd64", "evil.ko", module);
        refused(422, fleet.admin.post("/api/v1/artifacts", traversal));
        ArtifactUpload moduleTraversal = TestFleet.artifact(fleet.key, "evil", "1", "6.1.0-20-amd64", "../../../etc/cron.d/evil.ko", module);
        refused(422, fleet.admin.post("/api/v1/artifacts", moduleTraversal));
        ArtifactUpload good = fleet.artifact("bounded_fix", "1", "6.1.0-20-amd64");
        List<String> manyCves = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            manyCves.add("CVE-2030-" + (10000 + i));
        }
        refused(422, fleet.admin.post("/api/v1/artifacts", new ArtifactUpload(good.manifest(), good.signature(), good.module(), "x", manyCves)));
        refused(422, fleet.admin.post("/api/v1/artifacts", new ArtifactUpload(good.manifest(), good.signature(), good.module(), "x",
                List.of("not a cve"))));
        refused(400, fleet.admin.postRaw("/api/v1/artifacts", "{\"manifest\":1,\"signature\":\"\",\"module\":\"\"}", null));
        assertThat(fleet.admin.get("/api/v1/patches").json().toString()).doesNotContain("evil").doesNotContain("bounded_fix");
        assertThat(fleet.admin.post("/api/v1/artifacts", good).status()).isEqualTo(201);
    }

    @Test
    void pagingParametersAreChecked() throws Exception {
        refused(400, fleet.admin.get("/api/v1/hosts?limit=0"));
        refused(400, fleet.admin.get("/api/v1/hosts?limit=100000"));
        refused(400, fleet.admin.get("/api/v1/rollouts?limit=abc"));
        refused(400, fleet.admin.get("/api/v1/hosts?cursor=!!!"));
        refused(400, fleet.admin.get("/api/v1/hosts?cursor=bm90LWEtaG9zdA"));
        refused(400, fleet.admin.get("/api/v1/hosts?limit=1&limit=2"));
    }

    @Test
    void aModuleOfTheAdvertised64MiBUploadsAndDownloadsWhole() throws Exception {
        byte[] module = new byte[dev.klpfleet.server.patch.PatchStore.MAX_MODULE];
        new java.util.Random(64).nextBytes(module);
        ArtifactUpload big = TestFleet.artifact(fleet.key, "big_fix", "1", "6.1.0-20-amd64", "big_fix.ko", module);
        FleetClient.Answer stored = fleet.admin.post("/api/v1/artifacts", big);
        assertThat(stored.status()).as(stored.error()).isEqualTo(201);
        String sha = stored.json().path("sha256").asText();
        assertThat(sha).isEqualTo(dev.klpfleet.protocol.artifact.Sha256.hex(module));
        java.net.http.HttpResponse<byte[]> down = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                        fleet.server.uri().resolve("/api/v1/artifacts/" + sha)).header("Authorization", "Bearer " + host.credential()).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(java.util.Arrays.equals(down.body(), module)).as("the module comes back byte for byte").isTrue();

        byte[] tooBig = java.util.Arrays.copyOf(module, module.length + 1);
        refused(422, fleet.admin.post("/api/v1/artifacts", TestFleet.artifact(fleet.key, "big_fix", "2", "6.1.0-20-amd64", "big_fix.ko", tooBig)));
    }

    @Test
    void headIsAnsweredWhereverGetIs() throws Exception {
        RawHttp.Answer head = RawHttp.exchange(fleet.server.uri(), "HEAD /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(head.status()).isEqualTo(200);
        assertThat(head.head()).containsIgnoringCase("content-type: application/json");
        assertThat(head.body()).isEmpty();
        RawHttp.Answer hosts = RawHttp.exchange(fleet.server.uri(), "HEAD /api/v1/hosts HTTP/1.1\r\nHost: t\r\nAuthorization: Bearer "
                + TestFleet.ADMIN + "\r\nConnection: close\r\n\r\n");
        assertThat(hosts.status()).isEqualTo(200);
        assertThat(hosts.body()).isEmpty();
        RawHttp.Answer wrong = RawHttp.exchange(fleet.server.uri(), "DELETE /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
        assertThat(wrong.head()).containsIgnoringCase("allow: GET, HEAD");
        refused(405, wrong);
    }

    @Test
    void pagesWalkEveryHostExactlyOnce() throws Exception {
        for (int i = 0; i < 7; i++) {
            fleet.enroll("paged-" + i, "6.1.0-20-amd64", Map.of("paging", "yes"));
        }
        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            FleetClient.Answer page = fleet.admin.get("/api/v1/hosts?label=paging%3Dyes&limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            page.json().forEach(h -> seen.add(h.path("hostname").asText()));
            sizes.add(page.json().size());
            cursor = page.nextCursor();
        } while (cursor != null && sizes.size() < 10);
        assertThat(sizes).containsExactly(3, 3, 1);
        assertThat(seen).containsExactly("paged-0", "paged-1", "paged-2", "paged-3", "paged-4", "paged-5", "paged-6");
        assertThat(fleet.admin.get("/api/v1/rollouts?limit=1").status()).isEqualTo(200);
        assertThat(fleet.admin.get("/api/v1/patches?limit=1").status()).isEqualTo(200);
    }

    @Test
    void rolloutPagesWalkEveryRolloutExactlyOnce() throws Exception {
        fleet.enroll("paged-rollouts", "6.1.0-21-amd64", Map.of("paging", "rollouts"));
        List<String> created = new ArrayList<>();
        for (int v = 1; v <= 5; v++) {
            assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("paged_fix", Integer.toString(v), "6.1.0-21-amd64")).status()).isEqualTo(201);
            FleetClient.Answer r = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "paged_fix", "version", Integer.toString(v),
                    "selector", Map.of("labels", Map.of("paging", "rollouts"), "kernelReleases", List.of())));
            assertThat(r.status()).as(r.body()).isEqualTo(201);
            created.add(r.json().path("id").asText());
        }
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            FleetClient.Answer page = fleet.admin.get("/api/v1/rollouts?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
            assertThat(page.status()).isEqualTo(200);
            assertThat(page.json().size()).isLessThanOrEqualTo(2);
            page.json().forEach(r -> seen.add(r.path("id").asText()));
            cursor = page.nextCursor();
        } while (cursor != null && ++pages < 100);
        assertThat(seen).as("no rollout twice").doesNotHaveDuplicates().containsAll(created);
    }
}
