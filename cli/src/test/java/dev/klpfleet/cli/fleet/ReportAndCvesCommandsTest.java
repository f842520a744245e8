package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.patch.ArtifactUpload;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code klpfleet report stalls|impact|failures} and {@code klpfleet cves} against a real server whose
 * hosts reported evidence recorded on real kernels: the --json documents are the API's, the human
 * forms name the same figures, bad input is a one-line error with its exit code.
 */
class ReportAndCvesCommandsTest {
    static final String ADMIN = "cli-report-admin-token-0123456789abcdef0123";
    static final String K612 = "6.12.117+deb12-amd64";
    @TempDir static Path tmp;
    static FleetServer server;
    static FleetClient admin;
    static final List<String> hostIds = new ArrayList<>();

    record Run(int exit, String out, String err) {
        JsonNode json() {
            try {
                return FleetJson.mapper().readTree(out);
            } catch (Exception e) {
                throw new AssertionError("not one JSON document: " + out, e);
            }
        }
    }

    @BeforeAll
    static void fleetWithRecordedEvidenceAndASignedCveBuild() throws Exception {
        SigningKey key = SigningKeys.generate();
        Path data = Files.createDirectories(tmp.resolve("data/keys"));
        Files.writeString(data.resolve("fleet.pub"), SigningKeys.publicPem(key.publicKey()));
        server = FleetServer.start(ServerConfig.of(tmp.resolve("data"), "127.0.0.1", 0).withAdminToken(ADMIN).withEngineTick(Duration.ofMillis(100)));
        admin = new FleetClient(server.uri(), ADMIN);
        String enrollToken = admin.post("/api/v1/enrollment-tokens", Map.of("name", "report-hosts")).json().path("token").asText();
        for (int i = 0; i < 2; i++) {
            EnrollResponse r = new FleetClient(server.uri(), enrollToken).post("/api/v1/enroll",
                    new EnrollRequest("db-" + i, K612, "debian 12", Map.of(), List.of("livepatch"))).as(EnrollResponse.class);
            hostIds.add(r.hostId());
            FleetClient host = new FleetClient(server.uri(), r.credential());
            String loaded = i == 0 ? "[{\"name\":\"klpf_cmdline\",\"version\":\"1\",\"state\":\"enabled\",\"sha256\":null}]" : "[]";
            host.postRaw("/api/v1/hosts/" + r.hostId() + "/checkin", "{\"kernelRelease\":\"" + K612 + "\",\"loaded\":" + loaded + ",\"taint\":0}", null);
            int n = 0;
            for (String name : List.of("applied", "stalled-waiting", "stalled-reverted", "agent-stalled-waiting", "refused")) {
                JsonNode doc = RecordedEvidence.load("6.12", name);
                Map<String, Object> event = new LinkedHashMap<>();
                event.put("eventId", "e" + (n++));
                event.put("kind", "apply");
                event.put("patch", doc.path("patch").asText());
                event.put("version", "1");
                event.put("result", doc.path("result").asText());
                event.put("evidence", doc);
                assertThat(host.post("/api/v1/hosts/" + r.hostId() + "/events", event).status()).isEqualTo(201);
            }
        }
        byte[] module = "\u007fELF klpf_cmdline".getBytes(StandardCharsets.UTF_8);
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, "klpf_cmdline", "1", K612, K612 + " SMP", "klpf_cmdline.ko", Sha256.hex(module),
                module.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 0)))), true, 0, 1,
                List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"), List.of("CVE-2030-1234"));
        byte[] manifest = ManifestJson.toBytes(m);
        Base64.Encoder b = Base64.getEncoder();
        assertThat(admin.post("/api/v1/artifacts", new ArtifactUpload(b.encodeToString(manifest),
                b.encodeToString(ArtifactSigner.sign(key, manifest, Sha256.hex(module)).toBytes()), b.encodeToString(module), "fix", null)).status())
                .isEqualTo(201);
        await().atMost(Duration.ofSeconds(20)).until(() -> admin.get("/api/v1/cves").json().path(0).path("fixed").asLong() == 1);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static synchronized Run fleet(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.uri().toString(), "--token", ADMIN));
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(all.toArray(String[]::new));
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    @Test
    void report_json_documents_are_the_apis_and_the_human_forms_show_their_figures() throws Exception {
        Run stalls = fleet("report", "stalls", "--json");
        assertThat(stalls.exit()).as(stalls.err()).isEqualTo(ExitCodes.OK);
        assertThat(stalls.json()).isEqualTo(admin.get("/api/v1/analytics/stalls").json());
        JsonNode top = stalls.json().path("functions").get(0);
        assertThat(top.path("name").asText()).isEqualTo("klpf_target_wait [klpf_target]");
        assertThat(top.path("hosts").asLong()).isEqualTo(2);
        assertThat(top.path("loads").asLong()).isEqualTo(6);
        assertThat(fleet("report", "stalls").out()).containsPattern("\\s2\\s+6\\s+klpf_target_wait \\[klpf_target\\]\\s+" + K612.replace("+", "\\+"))
                .contains("Blocking tasks", "klpf_sleeper");

        Run impact = fleet("report", "impact", "--patch", "klpf_target_patch", "--json");
        assertThat(impact.json()).isEqualTo(admin.get("/api/v1/analytics/impact?patch=klpf_target_patch").json());
        JsonNode cpu = impact.json().get(0).path("insmodCpuMs");
        assertThat(fleet("report", "impact", "--patch", "klpf_target_patch").out()).contains("klpf_target_patch on " + K612 + ": 6 loads")
                .containsPattern("insmod CPU \\(ms\\)\\s+" + cpu.path("n").asLong() + "\\s+" + cpu.path("p50").asLong() + "\\s+" + cpu.path("p95").asLong());

        Run failures = fleet("report", "failures", "--kernel", K612, "--json");
        assertThat(failures.json()).isEqualTo(admin.get("/api/v1/analytics/failures?kernel=6.12.117%2Bdeb12-amd64").json());
        assertThat(failures.json().get(0).path("loads").asLong()).isEqualTo(10);
        assertThat(failures.json().get(0).path("stalled").asLong()).isEqualTo(6);
        assertThat(fleet("report", "failures").out()).containsPattern(K612.replace("+", "\\+") + "\\s+10\\s+2\\s+2\\s+2\\s+6\\s+0\\s+0\\s+60\\.0%\\s+0\\.0%");
    }

    @Test
    void cves_shows_each_cve_and_host_and_prints_a_hosts_openvex_document() throws Exception {
        Run all = fleet("cves", "--json");
        assertThat(all.json()).isEqualTo(admin.get("/api/v1/cves").json());
        assertThat(fleet("cves").out()).containsPattern("CVE-2030-1234\\s+2\\s+1\\s+1\\s+0\\s+klpf_cmdline 1@" + K612.replace("+", "\\+"));
        Run one = fleet("cves", "--cve", "CVE-2030-1234", "--json");
        List<String> statuses = new ArrayList<>();
        one.json().path("hosts").forEach(h -> statuses.add(h.path("hostname").asText() + "=" + h.path("status").asText()));
        assertThat(statuses).containsExactlyInAnyOrder("db-0=fixed", "db-1=fixable");
        assertThat(fleet("cves", "--cve", "CVE-2030-1234").out()).contains("1 fixed by a live patch, 1 fixable").containsPattern("db-1\\s+.*fixable\\s+klpf_cmdline 1");

        ObjectNode vex = (ObjectNode) fleet("cves", "--vex", "db-0").json();
        ObjectNode api = (ObjectNode) admin.get("/api/v1/hosts/" + hostIds.get(0) + "/vex").json();
        for (ObjectNode d : List.of(vex, api)) {
            d.remove("@id");
            d.remove("timestamp");
        }
        assertThat(vex).isEqualTo(api);
        assertThat(vex.path("statements").get(0).path("status").asText()).isEqualTo("fixed");
    }

    @Test
    void bad_input_is_one_line_with_its_exit_code() {
        Run badCve = fleet("cves", "--cve", "CVE-1");
        assertThat(badCve.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(badCve.err().strip()).contains("CVE ids look like CVE-2024-12345").doesNotContain("\n");
        assertThat(fleet("cves", "--cve", "CVE-2030-7777").exit()).isEqualTo(ExitCodes.NOT_FOUND);
        Run badKernel = fleet("report", "impact", "--kernel", "6.12 x");
        assertThat(badKernel.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(badKernel.err().strip()).startsWith("klpfleet: server said 400: kernel must be a kernel release").doesNotContain("\n");
        assertThat(fleet("cves", "--vex", "no-such-host").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    }
}
