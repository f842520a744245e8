package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.storage.TestDatabases;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * CVE exposure against a real server: CVEs come only from signed build manifests; for each CVE and
 * host the API says fixed (an enabled live patch whose build for the host's kernel names it), fixable
 * (a build exists, not applied) or not fixable (no build for that kernel); each host's OpenVEX
 * document validates against the OpenVEX 0.2.0 JSON schema (committed under test resources).
 */
class CveExposureApiTest {
    static final String K61 = "6.1.0-57-amd64";
    static final String K612 = "6.12.117+deb12-amd64";
    static final String K510 = "5.10.0-30-amd64";
    static final String CMDLINE_A = "CVE-2030-1111";
    static final String CMDLINE_B = "CVE-2030-2222";
    static final String REPLACE = "CVE-2030-3333";

    /** One host of the scenario: kernel and what it reports loaded (name, version, state), or nothing. */
    record Planned(String hostname, String kernel, String patch, String state) {}

    static final List<Planned> PLAN = List.of(
            new Planned("a-fixed", K61, "klpf_cmdline", "enabled"),
            new Planned("b-unpatched", K61, null, null),
            new Planned("c-in-transition", K612, "klpf_cmdline", "transition"),
            new Planned("d-old-kernel", K510, null, null),
            new Planned("e-replace", K612, "klpf_replace_v2", "enabled"));
    /** Which kernels each CVE has a build for, and by which patch. */
    static final Map<String, Map<String, String>> BUILDS = Map.of(
            CMDLINE_A, Map.of(K61, "klpf_cmdline", K612, "klpf_cmdline"),
            CMDLINE_B, Map.of(K61, "klpf_cmdline", K612, "klpf_cmdline"),
            REPLACE, Map.of(K612, "klpf_replace_v2"));

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }

    /** The oracle: the status of {@code cve} on a planned host, from the plan alone. */
    static String expected(String cve, Planned p) {
        String build = BUILDS.get(cve).get(p.kernel());
        if (build == null) {
            return "not-fixable";
        }
        return build.equals(p.patch()) && "enabled".equals(p.state()) ? "fixed" : "fixable";
    }

    static Map<String, TestFleet.Host> seed(TestFleet fleet) throws Exception {
        for (String k : List.of(K61, K612)) {
            assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("klpf_cmdline", "1", k, List.of(CMDLINE_B, CMDLINE_A))).status()).isEqualTo(201);
        }
        assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("klpf_replace_v2", "1", K612, List.of(REPLACE))).status()).isEqualTo(201);
        Map<String, TestFleet.Host> hosts = new LinkedHashMap<>();
        for (Planned p : PLAN) {
            TestFleet.Host h = fleet.enroll(p.hostname(), p.kernel(), Map.of());
            String loaded = p.patch() == null ? "[]" : "[{\"name\":\"" + p.patch() + "\",\"version\":\"1\",\"state\":\"" + p.state() + "\",\"sha256\":null}]";
            assertThat(h.api().postRaw("/api/v1/hosts/" + h.id() + "/checkin", "{\"kernelRelease\":\"" + p.kernel() + "\",\"loaded\":" + loaded
                    + ",\"taint\":0}", null).status()).isEqualTo(200);
            hosts.put(p.hostname(), h);
        }
        // A revoked host is no longer part of the fleet's exposure.
        TestFleet.Host gone = fleet.enroll("z-revoked", K61, Map.of());
        fleet.admin.post("/api/v1/hosts/" + gone.id() + "/revoke", Map.of());
        // Check-ins reach the database in the next batched flush.
        await().atMost(Duration.ofSeconds(20)).until(() -> fleet.admin.get("/api/v1/cves?cve=" + REPLACE).json().path(0).path("fixed").asLong() == 1);
        return hosts;
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void each_cve_counts_hosts_fixed_fixable_and_not_fixable_and_lists_each_hosts_status(String db) throws Exception {
        try (TestFleet fleet = new TestFleet(db.equals("sqlite") ? null : TestDatabases.freshPostgresLocation())) {
            Map<String, TestFleet.Host> hosts = seed(fleet);
            FleetClient viewer = fleet.client(fleet.token("scanner", "VIEWER"));
            Map<String, String> expected = new TreeMap<>();
            for (String cve : BUILDS.keySet()) {
                long fixed = PLAN.stream().filter(p -> expected(cve, p).equals("fixed")).count();
                long fixable = PLAN.stream().filter(p -> expected(cve, p).equals("fixable")).count();
                expected.put(cve, PLAN.size() + " hosts " + fixed + " fixed " + fixable + " fixable " + (PLAN.size() - fixed - fixable) + " not");
            }
            Map<String, String> actual = new TreeMap<>();
            for (JsonNode c : viewer.get("/api/v1/cves").json()) {
                actual.put(c.path("cve").asText(), c.path("hosts").asLong() + " hosts " + c.path("fixed").asLong() + " fixed "
                        + c.path("fixable").asLong() + " fixable " + c.path("notFixable").asLong() + " not");
            }
            assertThat(actual).isEqualTo(expected);

            for (String cve : BUILDS.keySet()) {
                Map<String, String> want = new TreeMap<>();
                PLAN.forEach(p -> want.put(p.hostname(), expected(cve, p)));
                Map<String, String> got = new TreeMap<>();
                String cursor = null;
                int pages = 0;
                do {
                    FleetClient.Answer page = viewer.get("/api/v1/cves/" + cve + "/hosts?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
                    assertThat(page.status()).isEqualTo(200);
                    page.json().forEach(h -> got.put(h.path("hostname").asText(), h.path("status").asText()));
                    cursor = page.nextCursor();
                    pages++;
                } while (cursor != null);
                assertThat(got).as(cve).isEqualTo(want);
                assertThat(pages).isEqualTo(3);
            }
            assertThat(viewer.get("/api/v1/cves/CVE-2030-9999/hosts").status()).isEqualTo(404);
            assertThat(viewer.get("/api/v1/cves/not-a-cve/hosts").error()).contains("CVE ids look like CVE-2024-12345");
            assertThat(hosts.get("a-fixed").api().get("/api/v1/cves").status()).isEqualTo(403);
        }
    }

    @Test
    void each_hosts_openvex_document_validates_against_the_schema_and_says_fixed_where_a_live_patch_closes_the_cve() throws Exception {
        Schema schema;
        try (InputStream in = getClass().getResourceAsStream("/openvex/openvex_json_schema_0.2.0.json")) {
            schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12).getSchema(in);
        }
        try (TestFleet fleet = new TestFleet()) {
            assertThat(fleet.admin.get("/api/v1/hosts/nobody/vex").status()).isEqualTo(404);
            Map<String, TestFleet.Host> hosts = seed(fleet);
            for (Planned p : PLAN) {
                FleetClient.Answer vex = fleet.admin.get("/api/v1/hosts/" + hosts.get(p.hostname()).id() + "/vex");
                assertThat(vex.status()).isEqualTo(200);
                List<com.networknt.schema.Error> errors = schema.validate(vex.body(), InputFormat.JSON,
                        ctx -> ctx.executionConfig(c -> c.formatAssertionsEnabled(true)));
                assertThat(errors).as(p.hostname() + ": " + vex.body()).isEmpty();
                Map<String, String> statuses = new TreeMap<>();
                vex.json().path("statements").forEach(s -> {
                    statuses.put(s.path("vulnerability").path("name").asText(), s.path("status").asText());
                    assertThat(s.path("products").get(0).path("subcomponents").get(0).path("identifiers").path("purl").asText())
                            .isEqualTo("pkg:generic/linux@" + java.net.URLEncoder.encode(p.kernel(), StandardCharsets.UTF_8));
                });
                Map<String, String> want = new TreeMap<>();
                BUILDS.keySet().forEach(cve -> want.put(cve, switch (expected(cve, p)) {
                    case "fixed" -> "fixed";
                    case "fixable" -> "affected";
                    default -> "under_investigation";
                }));
                assertThat(statuses).as(p.hostname()).isEqualTo(want);
            }
            // The schema is not a formality: a statement without its required status is refused.
            ObjectNode broken = (ObjectNode) fleet.admin.get("/api/v1/hosts/" + hosts.get("a-fixed").id() + "/vex").json();
            ((ObjectNode) broken.path("statements").get(0)).remove("status");
            assertThat(schema.validate(broken.toString(), InputFormat.JSON)).isNotEmpty();
        }
    }

    @Test
    void cves_come_only_from_the_signed_manifest_and_cannot_be_added_beside_or_after_signing() throws Exception {
        try (TestFleet fleet = new TestFleet()) {
            ArtifactUpload signed = fleet.artifact("klpf_cmdline", "1", K61, List.of(CMDLINE_A));
            ArtifactUpload beside = new ArtifactUpload(signed.manifest(), signed.signature(), signed.module(), "x", List.of(CMDLINE_B));
            FleetClient.Answer a = fleet.admin.post("/api/v1/artifacts", beside);
            assertThat(a.status()).isEqualTo(422);
            assertThat(a.error()).contains("cves are taken only from the signed manifest");

            ObjectNode m = (ObjectNode) FleetJson.mapper().readTree(Base64.getDecoder().decode(signed.manifest()));
            m.putArray("cves").add(CMDLINE_A).add(CMDLINE_B);
            String added = Base64.getEncoder().encodeToString((m.toPrettyString() + "\n").getBytes(StandardCharsets.UTF_8));
            FleetClient.Answer tampered = fleet.admin.post("/api/v1/artifacts", new ArtifactUpload(added, signed.signature(), signed.module(), "x", null));
            assertThat(tampered.status()).isEqualTo(422);
            assertThat(tampered.error()).contains("MANIFEST_TAMPERED");

            FleetClient.Answer badForm = fleet.admin.post("/api/v1/artifacts", fleet.artifact("klpf_other", "1", K61, List.of("CVE-30-1")));
            assertThat(badForm.status()).isEqualTo(422);
            assertThat(badForm.error()).contains("CVE ids look like CVE-2024-12345");
            assertThat(fleet.admin.get("/api/v1/cves").json()).isEmpty();

            assertThat(fleet.admin.post("/api/v1/artifacts", signed).status()).isEqualTo(201);
            JsonNode patch = fleet.admin.get("/api/v1/patches").json().get(0);
            assertThat(patch.path("cves").toString()).isEqualTo("[\"" + CMDLINE_A + "\"]");
            assertThat(patch.path("versions").get(0).path("artifacts").get(0).path("cves").toString()).isEqualTo("[\"" + CMDLINE_A + "\"]");
            List<String> cves = new ArrayList<>();
            fleet.admin.get("/api/v1/cves").json().forEach(c -> cves.add(c.path("cve").asText()));
            assertThat(cves).containsExactly(CMDLINE_A);
        }
    }
}
