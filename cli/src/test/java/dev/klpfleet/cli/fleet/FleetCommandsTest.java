package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.patchbuild.manifest.ManifestFactory;
import dev.klpfleet.patchbuild.signing.KeyFiles;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.host.FleetJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator commands ({@code hosts}, {@code patch}, {@code rollout}) against a real server over
 * loopback HTTP, with a module signed into a build output the way {@code klpfleet build} writes it.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetCommandsTest {
    static final String ADMIN = "cli-test-admin-token-0123456789abcdef0123";
    /** A real livepatch module, built for this release and committed as a kernel-room fixture. */
    static final Path MODULE = Path.of("../kernel/src/test/resources/modules/6.1.0-56-amd64/klp_single.ko");
    static final String RELEASE = "6.1.0-56-amd64";

    @TempDir static Path tmp;
    static FleetServer server;
    static Path buildOut;
    static String patchName;
    static final List<Host> hosts = new ArrayList<>();

    record Host(String id, String hostname, String credential, String kernel) {}

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
    static void serverWithHostsAndASignedBuild() throws Exception {
        Path key = tmp.resolve("release");
        assertThat(run("keys", "generate", "--out", key.toString()).exit()).isEqualTo(ExitCodes.OK);
        Path data = Files.createDirectories(tmp.resolve("data/keys"));
        Files.copy(KeyFiles.publicFile(key), data.resolve("fleet.pub"));
        server = FleetServer.start(ServerConfig.of(tmp.resolve("data"), "127.0.0.1", 0).withAdminToken(ADMIN)
                .withEngineTick(Duration.ofMillis(100)));

        FleetClient admin = new FleetClient(server.uri(), ADMIN);
        // Binding labels come from the enrollment token: one token per tier.
        String canary = admin.post("/api/v1/enrollment-tokens", Map.of("name", "cli-canary", "labels", Map.of("fleet", "cli", "tier", "canary")))
                .json().path("token").asText();
        String prod = admin.post("/api/v1/enrollment-tokens", Map.of("name", "cli-prod", "labels", Map.of("fleet", "cli", "tier", "prod")))
                .json().path("token").asText();
        enroll(canary, "web-1", RELEASE, Map.of("rack", "r1"));
        enroll(prod, "web-2", RELEASE, Map.of());
        enroll(prod, "old-1", "5.10.0-30-amd64", Map.of());

        // The layout `klpfleet build --key` writes: OUT/RELEASE/{MODULE.ko, manifest.json, manifest.sig}.
        buildOut = tmp.resolve("out");
        Path rel = Files.createDirectories(buildOut.resolve(RELEASE));
        Path ko = Files.copy(MODULE, rel.resolve(MODULE.getFileName()));
        ModuleInspection inspection = ModuleInspector.inspect(ko);
        patchName = inspection.name();
        BuildManifest m = ManifestFactory.manifest(inspection, RELEASE, ko.getFileName().toString(), "1", List.of(),
                new BuildProvenance("test-builder", "0.1.0", "kbuild", "gcc 12", null, "2025-11-28T12:00:00Z"), List.of("CVE-2030-1234"));
        byte[] manifest = ManifestJson.toBytes(m);
        Files.write(rel.resolve("manifest.json"), manifest);
        Files.write(rel.resolve("manifest.sig"), ArtifactSigner.sign(KeyFiles.readPrivate(KeyFiles.privateFile(key)), manifest,
                m.sha256()).toBytes());
        assertThat(run("verify", buildOut.toString(), "--public-key", KeyFiles.publicFile(key).toString()).exit())
                .as("the fixture is a valid signed build output").isEqualTo(ExitCodes.OK);
    }

    private static void enroll(String token, String hostname, String kernel, Map<String, String> labels) throws Exception {
        EnrollResponse r = new FleetClient(server.uri(), token).post("/api/v1/enroll",
                new EnrollRequest(hostname, kernel, "debian 12", labels, List.of("livepatch"))).as(EnrollResponse.class);
        hosts.add(new Host(r.hostId(), hostname, r.credential(), kernel));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    /** Runs one command line in this JVM with stdout and stderr captured. */
    static synchronized Run run(String... args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteArrayOutputStream e = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(e, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.run(args);
            return new Run(exit, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
    }

    /** Runs a fleet command against the test server as admin. */
    static Run fleet(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.uri().toString(), "--token", ADMIN));
        return run(all.toArray(String[]::new));
    }

    @Test
    void an_admin_issues_an_enrollment_token_that_is_shown_once_and_audited() throws Exception {
        Run json = fleet("hosts", "enrollment-token", "--name", "rack-42", "--label", "rack=42", "--ttl-hours", "2", "--json");

        assertThat(json.exit()).isEqualTo(ExitCodes.OK);
        assertThat(json.json().path("token").asText()).startsWith("klpe_");
        assertThat(json.json().path("id").asText()).isNotBlank();
        Run human = fleet("hosts", "enrollment-token", "--name", "rack-43");
        assertThat(human.out().lines().findFirst().orElseThrow()).startsWith("klpe_");
        assertThat(human.out()).contains("for 'rack-43', valid 24 h", "klpfleet agent --enroll-token");
        String audit = new FleetClient(server.uri(), ADMIN).get("/api/v1/audit").body();
        assertThat(audit).contains("enrollment-token.issue", "rack-42 valid 2h");
        // The token itself is never stored or echoed back by the server.
        assertThat(audit).doesNotContain(json.json().path("token").asText());
    }

    @Test
    void hosts_list_shows_every_host_with_its_kernel_and_labels() {
        Run json = fleet("hosts", "list", "--json");
        assertThat(json.exit()).isEqualTo(ExitCodes.OK);
        List<String> names = new ArrayList<>();
        json.json().forEach(h -> names.add(h.path("hostname").asText()));
        assertThat(names).containsExactly("old-1", "web-1", "web-2");
        JsonNode web1 = json.json().get(1);
        assertThat(web1.path("kernelRelease").asText()).isEqualTo(RELEASE);
        assertThat(web1.path("labels").path("fleet").asText()).as("label from the enrollment token").isEqualTo("cli");
        assertThat(web1.path("labels").path("tier").asText()).isEqualTo("canary");
        assertThat(web1.path("id").asText()).startsWith("h");
        assertThat(web1.fieldNames()).toIterable().contains("id", "hostname", "kernelRelease", "distro", "labels", "capabilities",
                "loaded", "taint", "enrolledAt", "lastSeenAt");

        Run prod = fleet("hosts", "list", "--label", "tier=prod");
        assertThat(prod.out()).startsWith("HOSTNAME").contains("web-2", "old-1", "5.10.0-30-amd64", "2 hosts").doesNotContain("web-1");
        assertThat(web1.path("hostLabels").path("rack").asText()).as("what the host claimed, apart").isEqualTo("r1");
        assertThat(web1.path("labels").has("rack")).isFalse();
        assertThat(fleet("hosts", "list").out()).contains("fleet=cli,tier=canary [rack=r1]");
        assertThat(fleet("hosts", "list", "--kernel", "5.10.0-30-amd64", "--json").json()).hasSize(1);
    }

    @Test
    @Order(1)
    void patch_upload_stores_a_signed_build_once_and_patch_list_shows_it() throws Exception {
        // CVEs are signed into the manifest at build time; an upload cannot add any.
        assertThat(fleet("patch", "upload", buildOut.toString(), "--cve", "CVE-2030-9999").exit()).isEqualTo(ExitCodes.USAGE);
        Run up = fleet("patch", "upload", buildOut.toString(), "--description", "fix cmdline", "--json");
        assertThat(up.exit()).as(up.err()).isEqualTo(ExitCodes.OK);
        String sha = Sha256.hex(MODULE);
        assertThat(up.json()).hasSize(1);
        assertThat(up.json().get(0).path("kernelRelease").asText()).isEqualTo(RELEASE);
        assertThat(up.json().get(0).path("status").asInt()).isEqualTo(201);
        assertThat(up.json().get(0).path("outcome").asText()).isEqualTo("stored sha256:" + sha);

        Run again = fleet("patch", "upload", buildOut.resolve(RELEASE).toString());
        assertThat(again.exit()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(again.out()).contains(RELEASE, "FAIL", "already uploaded");
        assertThat(again.err().strip()).startsWith("klpfleet: 1 of 1 artifacts not uploaded").doesNotContain("\n");

        Run list = fleet("patch", "list", "--json");
        JsonNode p = list.json().get(0);
        assertThat(p.path("name").asText()).isEqualTo(patchName);
        assertThat(p.path("description").asText()).isEqualTo("fix cmdline");
        assertThat(p.path("cves").get(0).asText()).isEqualTo("CVE-2030-1234");
        JsonNode artifact = p.path("versions").get(0).path("artifacts").get(0);
        assertThat(p.path("versions").get(0).path("version").asText()).isEqualTo("1");
        assertThat(artifact.path("kernelRelease").asText()).isEqualTo(RELEASE);
        assertThat(artifact.path("sha256").asText()).isEqualTo(sha);
        assertThat(artifact.path("sizeBytes").asLong()).isEqualTo(Files.size(MODULE));
        assertThat(fleet("patch", "list").out()).contains(patchName + " [CVE-2030-1234] - fix cmdline", "1: 1 kernel releases", "sha256:" + sha);
    }

    @Test
    void a_tampered_build_output_is_refused_and_nothing_is_stored() throws Exception {
        Path bad = tmp.resolve("tampered/" + RELEASE);
        Files.createDirectories(bad);
        for (String f : List.of("manifest.json", "manifest.sig", MODULE.getFileName().toString())) {
            Files.copy(buildOut.resolve(RELEASE).resolve(f), bad.resolve(f));
        }
        byte[] ko = Files.readAllBytes(bad.resolve(MODULE.getFileName()));
        ko[ko.length - 1] ^= 1;
        Files.write(bad.resolve(MODULE.getFileName()), ko);
        Run up = fleet("patch", "upload", bad.toString());
        assertThat(up.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(up.out()).contains("FAIL", "MODULE_TAMPERED");
        assertThat(fleet("patch", "list", "--json").out()).doesNotContain(Sha256.hex(ko));
        assertThat(fleet("patch", "upload", tmp.resolve("nowhere").toString()).exit()).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void operator_commands_move_a_rollout_through_pause_resume_rollback_and_refuse_what_its_state_forbids() throws Exception {
        uploaded();
        Run created = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--waves", "1,100%",
                "--soak", "PT1H", "--json");
        assertThat(created.exit()).as(created.err()).isEqualTo(ExitCodes.OK);
        JsonNode v = created.json();
        String id = v.path("id").asText();
        assertThat(v.path("status").asText()).isEqualTo("RUNNING");
        assertThat(v.path("waves")).hasSize(2);
        assertThat(v.path("waves").get(0).path("name").asText()).isEqualTo("canary");
        assertThat(v.path("waves").get(0).path("hosts").asInt() + v.path("waves").get(1).path("hosts").asInt()).isEqualTo(2);
        assertThat(v.path("noBuild")).hasSize(1);
        assertThat(v.path("noBuild").get(0).asText()).isEqualTo(hosts.get(2).id());
        assertThat(v.fieldNames()).toIterable().containsExactly("id", "patch", "version", "status", "haltReason", "currentWave",
                "soakStartedAt", "waves", "noBuild", "revision", "createdAt", "updatedAt", "hosts", "decisions");

        Run paused = fleet("rollout", "pause", id, "--reason", "lunch", "--json");
        assertThat(paused.json().path("status").asText()).isEqualTo("PAUSED");
        Run twice = fleet("rollout", "pause", id);
        assertThat(twice.exit()).isEqualTo(ExitCodes.CONFLICT);
        assertThat(twice.err().strip()).startsWith("klpfleet: server said 409:").doesNotContain("\n");
        assertThat(fleet("rollout", "resume", id, "--json").json().path("status").asText()).isEqualTo("RUNNING");
        Run rolledBack = fleet("rollout", "rollback", id, "--reason", "bad canary");
        assertThat(rolledBack.exit()).isEqualTo(ExitCodes.OK);
        assertThat(rolledBack.out()).startsWith("rollout " + id + "  " + patchName + " 1  ROLLED_BACK");

        Run status = fleet("rollout", "status", id, "--json");
        List<String> kinds = new ArrayList<>();
        status.json().path("decisions").forEach(d -> kinds.add(d.path("kind").asText()));
        assertThat(kinds).containsSubsequence("PAUSED", "RESUMED", "ROLLBACK");
        JsonNode pause = status.json().path("decisions").get(kinds.indexOf("PAUSED"));
        assertThat(pause.path("reason").asText()).contains("lunch");
        assertThat(pause.path("actor").asText()).isEqualTo("bootstrap-admin");
        Run human = fleet("rollout", "status", id);
        assertThat(human.out()).contains("wave 1 canary", "wave 2", "NO BUILD for 1 hosts", "#1 ");
        assertThat(fleet("rollout", "resume", id).exit()).as("a rolled-back rollout cannot resume").isEqualTo(ExitCodes.CONFLICT);
    }

    @Test
    void abort_ends_a_rollout_and_the_watch_line_mode_prints_its_final_state_and_returns() throws Exception {
        uploaded();
        String id = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--kernel", RELEASE, "--waves", "1,100%",
                "--json").json().path("id").asText();
        Run aborted = fleet("rollout", "abort", id, "--json");
        assertThat(aborted.json().path("status").asText()).isEqualTo("ABORTED");
        // Whether or not the engine dispatched the canary before the abort, watch prints the stopped rollout and returns
        // (at the latest after --for, while a canary told to apply never answers).
        Run watch = fleet("rollout", "watch", id, "--interval", "PT0.1S", "--for", "PT1S");
        assertThat(watch.exit()).isEqualTo(ExitCodes.OK);
        assertThat(watch.out()).startsWith("rollout " + id).contains("ABORTED").doesNotContain("\033[");
        Run lines = fleet("rollout", "watch", id, "--interval", "PT0.1S", "--for", "PT0.5S", "--json");
        String[] docs = lines.out().strip().split("\n");
        assertThat(docs).as("one line per change; nothing changes while watching").hasSize(1);
        assertThat(FleetJson.mapper().readTree(docs[0]).path("status").asText()).isEqualTo("ABORTED");
    }

    @Test
    void watch_follows_a_rollout_live_until_it_completes() throws Exception {
        uploaded();
        String id = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--kernel", RELEASE,
                "--waves", "1,100%", "--soak", "PT0.3S", "--json").json().path("id").asText();
        AtomicBoolean stop = new AtomicBoolean();
        Thread agents = new Thread(() -> agentsApply(stop), "simulated-agents");
        agents.start();
        Run watch;
        try {
            watch = fleet("rollout", "watch", id, "--interval", "PT0.1S", "--for", "PT60S");
        } finally {
            stop.set(true);
            agents.join();
        }
        assertThat(watch.exit()).isEqualTo(ExitCodes.OK);
        String[] frames = watch.out().split("(?m)^rollout ");
        assertThat(frames.length - 1).as("one frame per change: at least the first and the last").isGreaterThanOrEqualTo(2);
        assertThat(frames[1]).contains("RUNNING");
        assertThat(frames[frames.length - 1]).contains("COMPLETED", "1/1 done");
    }

    @Test
    void on_a_terminal_watch_redraws_one_live_display_in_place() throws Exception {
        uploaded();
        String id = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--kernel", RELEASE,
                "--waves", "1,100%", "--soak", "PT0.5S", "--json").json().path("id").asText();
        Path script = tmp.resolve("watch.sh");
        Files.writeString(script, "#!/bin/sh\n'" + Path.of(System.getProperty("java.home"), "bin", "java") + "' -cp '"
                + System.getProperty("java.class.path") + "' dev.klpfleet.cli.Main rollout watch " + id + " --interval PT0.1S --for PT60S"
                + " --server " + server.uri() + " --token " + ADMIN + "\necho WATCH-EXITED $?\nsleep 60\n");
        String socket = "klpfleet-test-" + ProcessHandle.current().pid();
        AtomicBoolean stop = new AtomicBoolean();
        Thread agents = new Thread(() -> agentsApply(stop), "simulated-agents");
        agents.start();
        try {
            tmux(socket, "new-session", "-d", "-s", "watch", "-x", "132", "-y", "40", "sh " + script);
            String screen = "";
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!screen.contains("WATCH-EXITED") && System.nanoTime() < deadline) {
                Thread.sleep(200);
                screen = tmux(socket, "capture-pane", "-p", "-t", "watch");
            }
            assertThat(screen).contains("WATCH-EXITED 0", "COMPLETED", "wave 1 canary", "wave 2");
            assertThat(screen.split("(?m)^rollout ", -1)).as("the screen holds one display, redrawn in place:\n" + screen).hasSize(2);
        } finally {
            stop.set(true);
            agents.join();
            tmux(socket, "kill-server");
        }
    }

    /** Runs tmux on a private socket, so the test never touches anyone's tmux sessions; returns its stdout. */
    private static String tmux(String socket, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return out;
    }

    /** The enrolled hosts acting as agents: check in, and report applied whatever they are told to apply. */
    private static void agentsApply(AtomicBoolean stop) {
        try {
            while (!stop.get()) {
                for (Host h : hosts) {
                    FleetClient c = new FleetClient(server.uri(), h.credential());
                    JsonNode desired = c.postRaw("/api/v1/hosts/" + h.id() + "/checkin", "{\"kernelRelease\":\"" + h.kernel()
                            + "\",\"loaded\":[],\"taint\":0}", null).json().path("desired");
                    for (JsonNode d : desired) {
                        c.postRaw("/api/v1/hosts/" + h.id() + "/events", "{\"eventId\":\"apply-" + d.path("rolloutId").asText()
                                + "\",\"kind\":\"apply\",\"patch\":\"" + d.path("patch").asText() + "\",\"version\":\"1\","
                                + "\"result\":\"applied\",\"evidence\":{}}", null);
                    }
                }
                Thread.sleep(50);
            }
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void failures_are_one_line_with_distinct_exit_codes() {
        Run noToken = run("hosts", "list", "--server", server.uri().toString());
        assertThat(noToken.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(noToken.err()).isEqualTo("klpfleet: no token: pass --token or set KLPFLEET_TOKEN\n");
        Run badToken = run("hosts", "list", "--server", server.uri().toString(), "--token", "klpo_wrong");
        assertThat(badToken.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(badToken.err()).startsWith("klpfleet: server said 401:").hasLineCount(1);
        assertThat(fleet("rollout", "status", "r_nope").exit()).isEqualTo(ExitCodes.NOT_FOUND);
        Run down = run("patch", "list", "--server", "http://127.0.0.1:1", "--token", ADMIN);
        assertThat(down.exit()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(down.err()).startsWith("klpfleet: server unreachable").hasLineCount(1);
        assertThat(fleet("rollout", "create", "--patch", "p", "--version", "1", "--waves", "1,x").exit()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void an_impact_limit_on_a_nested_evidence_field_trips_the_gate_end_to_end() throws Exception {
        uploaded();
        Run invented = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--kernel", RELEASE,
                "--impact-max", "stopMachineUs=2500");
        assertThat(invented.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(invented.err()).contains("unknown impact field 'stopMachineUs'", "insmod.ksoftirqdMaxDelayNanos", "transition.retransSegs")
                .hasLineCount(1);

        // What the agent sent after loading a patch on the 6.12 guest; the limit is half the ksoftirqd delay it measured.
        JsonNode recorded = dev.klpfleet.protocol.evidence.RecordedEvidence.load("6.12", "applied");
        long measured = recorded.path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asLong();
        assertThat(measured).as("the recording measured a ksoftirqd delay").isGreaterThan(1);
        long limit = measured / 2;
        Run created = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--kernel", RELEASE,
                "--waves", "1,100%", "--soak", "PT0S", "--impact-max", "insmod.ksoftirqdMaxDelayNanos=" + limit, "--json");
        assertThat(created.exit()).as(created.err()).isEqualTo(ExitCodes.OK);
        String id = created.json().path("id").asText();
        String canary = null;
        for (long until = System.nanoTime() + Duration.ofSeconds(20).toNanos(); canary == null && System.nanoTime() < until; Thread.sleep(50)) {
            for (JsonNode h : fleet("rollout", "status", id, "--json").json().path("hosts")) {
                if (h.path("phase").asText().equals("DISPATCHED")) {
                    canary = h.path("hostId").asText();
                }
            }
        }
        assertThat(canary).as("the canary is dispatched").isNotNull();
        String credential = null;
        for (Host h : hosts) {
            if (h.id().equals(canary)) {
                credential = h.credential();
            }
        }
        String evidence = recorded.toString();
        FleetClient.Answer reported = new FleetClient(server.uri(), credential).postRaw("/api/v1/hosts/" + canary + "/events",
                "{\"eventId\":\"impact-" + id + "\",\"kind\":\"apply\",\"patch\":\"" + patchName + "\",\"version\":\"1\","
                        + "\"result\":\"applied\",\"evidence\":" + evidence + "}", null);
        assertThat(reported.status()).isEqualTo(201);
        JsonNode v = null;
        for (long until = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < until; Thread.sleep(50)) {
            v = fleet("rollout", "status", id, "--json").json();
            if (v.path("status").asText().equals("PAUSED")) {
                break;
            }
        }
        assertThat(v.path("status").asText()).isEqualTo("PAUSED");
        assertThat(v.path("haltReason").asText())
                .isEqualTo("gate: host " + canary + " impact insmod.ksoftirqdMaxDelayNanos=" + measured + " over its limit " + limit);
    }

    @Test
    void a_reversed_stall_with_attempts_left_is_shown_retrying_with_its_attempt_and_the_stall_gate_holds() throws Exception {
        uploaded();
        Run none = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--kernel", RELEASE, "--stall-attempts", "0");
        assertThat(none.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(none.err()).contains("stallAttempts must be within 1..20 (got 0)").hasLineCount(1);

        Run created = fleet("rollout", "create", "--patch", patchName, "--version", "1", "--label", "fleet=cli", "--kernel", RELEASE,
                "--waves", "1,100%", "--soak", "PT0S", "--max-stall-rate", "0", "--stall-attempts", "3", "--stall-retry-after", "PT10M", "--json");
        assertThat(created.exit()).as(created.err()).isEqualTo(ExitCodes.OK);
        String id = created.json().path("id").asText();
        String canary = null;
        for (long until = System.nanoTime() + Duration.ofSeconds(20).toNanos(); canary == null && System.nanoTime() < until; Thread.sleep(50)) {
            for (JsonNode h : fleet("rollout", "status", id, "--json").json().path("hosts")) {
                if (h.path("phase").asText().equals("DISPATCHED")) {
                    canary = h.path("hostId").asText();
                }
            }
        }
        assertThat(canary).as("the canary is dispatched").isNotNull();
        String credential = null;
        for (Host h : hosts) {
            if (h.id().equals(canary)) {
                credential = h.credential();
            }
        }
        // The stall a 6.1 guest reported (its transition reversed), as the agent stamps its first attempt.
        com.fasterxml.jackson.databind.node.ObjectNode evidence = dev.klpfleet.protocol.evidence.RecordedEvidence.load("6.1", "stalled-reverted").deepCopy();
        evidence.putObject("attempt").put("number", 1);
        FleetClient.Answer reported = new FleetClient(server.uri(), credential).postRaw("/api/v1/hosts/" + canary + "/events",
                "{\"eventId\":\"stall-" + id + "\",\"kind\":\"apply\",\"patch\":\"" + patchName + "\",\"version\":\"1\","
                        + "\"result\":\"stalled-reverted\",\"evidence\":" + evidence + "}", null);
        assertThat(reported.status()).isEqualTo(201);
        JsonNode line = null;
        for (long until = System.nanoTime() + Duration.ofSeconds(20).toNanos(); System.nanoTime() < until; Thread.sleep(50)) {
            for (JsonNode h : fleet("rollout", "status", id, "--json").json().path("hosts")) {
                if (h.path("hostId").asText().equals(canary) && h.path("phase").asText().equals("RETRYING")) {
                    line = h;
                }
            }
            if (line != null) {
                break;
            }
        }
        assertThat(line).as("the canary retries").isNotNull();
        assertThat(line.path("attempt").asInt()).isEqualTo(2);
        JsonNode v = fleet("rollout", "status", id, "--json").json();
        assertThat(v.path("status").asText()).as("a stall that will retry does not trip a stall gate at 0").isEqualTo("RUNNING");
        assertThat(v.path("waves").get(0).path("retrying").asInt()).isEqualTo(1);
        Run human = fleet("rollout", "status", id);
        assertThat(human.out()).contains("retrying 1", "retrying " + canary + ": stalled, attempt 2 not before " + line.path("notBefore").asText());
        assertThat(fleet("rollout", "abort", id).exit()).isEqualTo(ExitCodes.OK);
    }

    /** Makes sure the build output is in the catalog, whichever test ran first. */
    private static void uploaded() {
        Run up = fleet("patch", "upload", buildOut.toString());
        assertThat(up.exit()).isIn(ExitCodes.OK, ExitCodes.CONFLICT);
    }
}
