package dev.klpfleet.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Agent;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.agent.Identity;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.BootCheckin;
import dev.klpfleet.agent.state.LoadMark;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.protocol.fleet.HostEvent;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent against a real {@code FleetServer} over loopback HTTP, with a fixture kernel root for
 * the kernel side: every path here ends before an insmod (adopting a patch already applied,
 * refusing an artifact, unloading a patch whose module directory is absent, 304, re-sent events).
 */
class AgentAgainstFleetServerTest {
    /** A real livepatch module built for 6.12 (name klp_multi; replaces two vmlinux and two ext4 functions). */
    static final Path MODULE = Path.of("../patchbuild/src/test/resources/backend-fixtures/livepatch-6.12.ko");
    static final String RELEASE = "6.12.117+deb12-amd64";

    static FleetOnLoopback fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new FleetOnLoopback();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    static Agent agent(Path data, PublicKey key, FixtureKernel kernel) throws Exception {
        ControlPlane plane = fleet.controlPlane();
        return new Agent(LiveKernel.at(new KernelRoot(kernel.root), InstantSource.system(), LoadOptions.defaults()), plane,
                new StateFile(data), new ArtifactCache(data, plane, key), InstantSource.system(), d -> { }, new Random(7));
    }

    @Test
    void aPatchAlreadyAppliedIsAdoptedAndReportedThenUnloadedAfterARollback() throws Exception {
        FixtureKernel kernel = new FixtureKernel(RELEASE).applied("klp_multi",
                "vmlinux/cmdline_proc_show,2", "vmlinux/meminfo_proc_show,1", "ext4/ext4_statfs,1", "ext4/ext4_sync_fs,1");
        fleet.upload(Files.readAllBytes(MODULE), "klp_multi", "1", RELEASE);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Agent agent = agent(data, fleet.key.publicKey(), kernel);
        String hostId = agent.enrollIfNeeded(fleet.enrollmentToken("adopt"), new Identity("adopter", "debian 12", Map.of("test", "adopt")));
        String rollout = fleet.rollout("klp_multi", "1", "adopt");
        fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("applying").asInt() == 1);

        List<Pass> apply = agent.runOnce();

        Action load = apply.get(0).actions().get(0);
        assertThat(load.action()).isEqualTo("load");
        assertThat(load.result()).isEqualTo("applied");
        assertThat(load.evidence().result()).isEqualTo(Result.APPLIED);
        assertThat(load.message()).startsWith("already applied");
        assertThat(apply.get(apply.size() - 1).outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(agent.state().managed().get("klp_multi").phase()).isEqualTo(ManagedPatch.Phase.LOADED);
        assertThat(agent.state().outbox()).isEmpty();
        assertThat(data.resolve("artifacts").resolve(load.evidence().sha256()).resolve("klp_multi.ko")).exists();
        JsonNode applied = fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("applied").asInt() == 1);
        assertThat(applied.path("waves").get(0).path("applied").asInt()).as("the server counted the event").isEqualTo(1);

        Pass unchanged = agent.pass();
        assertThat(unchanged.outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(unchanged.detail()).contains("desired set unchanged (304)");
        assertThat(unchanged.actions()).isEmpty();

        assertThat(fleet.rollback(rollout).status()).isEqualTo(200);
        List<Pass> unload = agent.runOnce();

        Action u = unload.get(0).actions().get(0);
        assertThat(u.action()).isEqualTo("unload");
        assertThat(u.result()).isEqualTo("unloaded");
        assertThat(kernel.read("/sys/kernel/livepatch/klp_multi/enabled")).as("the agent wrote 0 to enabled").isEqualTo("0");
        assertThat(agent.state().managed()).isEmpty();
        JsonNode rolledBack = fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("rolledBack").asInt() == 1);
        assertThat(rolledBack.path("waves").get(0).path("rolledBack").asInt()).isEqualTo(1);
        assertThat(hostId).isNotBlank();
    }

    @Test
    void anEventReSentAfterACrashIsAlreadyRecordedAndLeavesTheOutbox() throws Exception {
        FixtureKernel kernel = new FixtureKernel(RELEASE);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Agent first = agent(data, fleet.key.publicKey(), kernel);
        first.enrollIfNeeded(fleet.enrollmentToken("crash"), new Identity("crasher", "debian 12", Map.of("test", "crash")));
        HostEvent health = new HostEvent("health-taint-512", dev.klpfleet.protocol.outcome.EventKind.HEALTH, null, null, dev.klpfleet.protocol.outcome.HealthKind.TAINT, java.time.Instant.now(),
                WireJson.mapper().createObjectNode().put("taint", 512));
        ControlPlane plane = fleet.controlPlane();
        assertThat(plane.report(first.state().hostId(), first.state().credential(), health)).as("recorded now").isTrue();
        // The crash came after the server recorded the event and before the agent removed it from its outbox.
        new StateFile(data).save(first.state().enqueue(health));

        Agent restarted = agent(data, fleet.key.publicKey(), kernel);
        Pass p = restarted.pass();

        assertThat(p.outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(restarted.state().outbox()).isEmpty();
        assertThat(plane.report(first.state().hostId(), first.state().credential(), health)).as("409: already recorded").isFalse();
    }

    @Test
    void aHostWhoseTaintCannotBeReadChecksInAsUnknownAndTheServerKeepsItsLastReading() throws Exception {
        FixtureKernel kernel = new FixtureKernel(RELEASE).taint(1L << 9);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Agent agent = agent(data, fleet.key.publicKey(), kernel);
        String hostId = agent.enrollIfNeeded(fleet.enrollmentToken("unreadable"), new Identity("unreadable", "debian 12", Map.of("test", "unreadable")));
        assertThat(agent.pass().outcome()).isEqualTo(Requeue.Outcome.IDLE);
        String readSeenAt = hostWhen(hostId, h -> h.path("taint").asLong() == 1L << 9).path("lastSeenAt").asText();

        kernel.taintUnreadable();
        Thread.sleep(5); // so the next check-in's lastSeenAt differs
        Pass unknown = agent.pass();

        assertThat(unknown.outcome()).as(unknown.detail()).isEqualTo(Requeue.Outcome.IDLE);
        // Wait for the server's batched write of that check-in, then look at the taint it stored.
        JsonNode host = hostWhen(hostId, h -> !h.path("lastSeenAt").asText().equals(readSeenAt));
        assertThat(host.path("lastSeenAt").asText()).as("the unknown check-in was written").isNotEqualTo(readSeenAt);
        assertThat(host.path("taint").asLong()).as("not overwritten with 0").isEqualTo(1L << 9);
    }

    @Test
    void anArtifactNotSignedByTheFleetKeyGivenIsRefusedReportedAndNeverRetried() throws Exception {
        FixtureKernel kernel = new FixtureKernel(RELEASE);
        fleet.upload("not a module: refused before anyone reads it".getBytes(StandardCharsets.UTF_8), "klp_other", "1", RELEASE);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Path otherKey = data.resolveSibling(data.getFileName() + "-other.pub");
        Files.writeString(otherKey, SigningKeys.publicPem(SigningKeys.generate().publicKey()));
        String[] agent = {"agent", "--server", fleet.url(), "--server-fingerprint", fleet.fingerprint(), "--data", data.toString(), "--public-key", otherKey.toString(),
                "--kernel-root", kernel.root.toString(), "--once", "--json"};

        Cli enrolled = Cli.run(concat(agent, "--enroll-token", fleet.enrollmentToken("refuse"), "--labels", "test=refuse"));
        assertThat(enrolled.code()).as(enrolled.err()).isEqualTo(ExitCodes.OK);
        assertThat(enrolled.json().path("enrolled").asBoolean()).isTrue();
        String rollout = fleet.rollout("klp_other", "1", "refuse");
        fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("applying").asInt() == 1);

        Path prom = data.resolve("klpfleet.prom");
        Cli refused = Cli.run(concat(agent, "--metrics-textfile", prom.toString(), "--log-format", "json"));

        assertThat(refused.code()).as(refused.out() + refused.err()).isEqualTo(ExitCodes.AGENT_STEP_FAILED);
        JsonNode step = refused.json().path("steps").get(0);
        assertThat(step.path("result").asText()).isEqualTo("refused");
        assertThat(step.path("evidence").path("result").asText()).isEqualTo("refused");
        assertThat(step.path("evidence").path("preflight").get(0).path("name").asText()).isEqualTo("artifact");
        assertThat(step.path("message").asText()).contains("untrusted_key");
        assertThat(Files.list(kernel.path("/sys/kernel/livepatch"))).as("the kernel was not touched").isEmpty();
        JsonNode failed = fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("failed").asInt() == 1);
        assertThat(failed.path("waves").get(0).path("failed").asInt()).as("the server counted the refusal").isEqualTo(1);
        JsonNode logged = null;
        for (String line : refused.err().lines().toList()) {
            JsonNode l = WireJson.mapper().readTree(line);
            if ("load".equals(l.path("action").asText())) {
                logged = l;
            }
        }
        assertThat(logged).as("the step as one JSON log line: " + refused.err()).isNotNull();
        assertThat(logged.path("host").asText()).isEqualTo(enrolled.json().path("hostId").asText());
        assertThat(logged.path("patch").asText()).isEqualTo("klp_other");
        assertThat(logged.path("version").asText()).isEqualTo("1");
        assertThat(logged.path("outcome").asText()).isEqualTo("refused");
        String textfile = Files.readString(prom);
        assertThat(textfile).contains("klpfleet_agent_info{kernel_release=\"" + RELEASE + "\"} 1\n",
                "klpfleet_agent_last_apply{patch=\"klp_other\",version=\"1\",result=\"refused\"} 1\n",
                "klpfleet_agent_errors_total{kind=\"unreachable\"} 0\n");
        assertThat(textfile).as("the check-in time is recorded").doesNotContain("klpfleet_agent_last_checkin_timestamp_seconds 0\n")
                .contains("klpfleet_agent_last_checkin_timestamp_seconds ");
        Cli notProm = Cli.run(concat(agent, "--metrics-textfile", data.resolve("klpfleet.txt").toString()));
        assertThat(notProm.code()).isEqualTo(ExitCodes.USAGE);
        assertThat(notProm.err()).contains("must end in .prom");

        Cli again = Cli.run(agent);
        assertThat(again.code()).isEqualTo(ExitCodes.OK);
        assertThat(again.json().path("steps")).isEmpty();
    }

    @Test
    void aHostBackFromABootThatDiedAfterALoadHoldsThePatchInItsTextfileAndWarnsInOneJsonLine() throws Exception {
        String oldBoot = "11111111-1111-4111-8111-111111111111";
        FixtureKernel kernel = new FixtureKernel(RELEASE).boot(oldBoot);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        String[] agent = agentArgs(data, kernel);
        Cli enrolled = Cli.run(concat(agent, "--enroll-token", fleet.enrollmentToken("crashhold")));
        assertThat(enrolled.code()).as(enrolled.err()).isEqualTo(ExitCodes.OK);
        String hostId = enrolled.json().path("hostId").asText();
        // fix_cmdline 3 applied on the old boot, which was last seen alive two minutes later: inside the 10 min window.
        java.time.Instant loaded = java.time.Instant.now().minus(java.time.Duration.ofHours(1));
        StateFile state = new StateFile(data);
        state.save(state.load().marked(new LoadMark("fix_cmdline", "3", "ab".repeat(32), "r_gone", oldBoot, loaded.minusSeconds(3), loaded))
                .checkedIn(new BootCheckin(oldBoot, loaded.plus(java.time.Duration.ofMinutes(2)))));
        kernel.boot("22222222-2222-4222-8222-222222222222");

        Path prom = data.resolve("klpfleet.prom");
        Cli back = Cli.run(concat(agent, "--metrics-textfile", prom.toString(), "--log-format", "json"));

        assertThat(back.code()).as(back.out() + back.err()).isEqualTo(ExitCodes.AGENT_STEP_FAILED);
        String eventId = back.json().path("steps").get(0).path("eventId").asText();
        assertThat(eventId).startsWith("crash-");
        JsonNode warning = onlyLine(jsonLines(back.err()), l -> l.path("level").asText().equals("WARN")
                && l.path("logger").asText().equals(Agent.class.getName()));
        assertThat(warning.path("host").asText()).isEqualTo(hostId);
        assertThat(warning.path("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(warning.path("version").asText()).isEqualTo("3");
        assertThat(warning.path("eventId").asText()).isEqualTo(eventId);
        assertThat(warning.path("outcome").asText()).isEqualTo("crash-suspected");
        assertThat(warning.path("message").asText()).startsWith("crash suspected: boot " + oldBoot);
        String textfile = Files.readString(prom);
        assertThat(textfile).contains("klpfleet_agent_crash_holds 1\n", "klpfleet_agent_crash_hold{patch=\"fix_cmdline\",version=\"3\"} 1\n");
        double since = sample(textfile, "klpfleet_agent_crash_hold_since_timestamp_seconds{patch=\"fix_cmdline\",version=\"3\"}");
        assertThat(since).as("set by this boot's agent just now").isGreaterThan(loaded.getEpochSecond());
        assertThat(fleet.admin.get("/api/v1/hosts/" + hostId + "/crash-holds").json().get(0).path("eventId").asText())
                .as("the hold the textfile shows is the one the server has").isEqualTo(eventId);
    }

    @Test
    void anEventTheServerRefusesForGoodIsDroppedWithAWarningInOneJsonLine() throws Exception {
        FixtureKernel kernel = new FixtureKernel(RELEASE);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        String[] agent = agentArgs(data, kernel);
        Cli enrolled = Cli.run(concat(agent, "--enroll-token", fleet.enrollmentToken("dropped")));
        assertThat(enrolled.code()).as(enrolled.err()).isEqualTo(ExitCodes.OK);
        // Decided while the host's clock still read 1970 (no RTC, before NTP): the server takes no event from before 2000.
        HostEvent early = new HostEvent("unload-fix_cmdline-early", dev.klpfleet.protocol.outcome.EventKind.UNLOAD, "fix_cmdline", "3",
                dev.klpfleet.protocol.outcome.UnloadResult.UNLOADED, java.time.Instant.ofEpochSecond(42), WireJson.mapper().createObjectNode());
        StateFile state = new StateFile(data);
        state.save(state.load().enqueue(early));

        Cli dropped = Cli.run(concat(agent, "--log-format", "json"));

        assertThat(dropped.code()).as("a dropped event is a failed step: " + dropped.out() + dropped.err()).isEqualTo(ExitCodes.AGENT_STEP_FAILED);
        JsonNode warning = onlyLine(jsonLines(dropped.err()), l -> l.path("level").asText().equals("WARN")
                && l.path("logger").asText().equals(Agent.class.getName()));
        assertThat(warning.path("host").asText()).isEqualTo(enrolled.json().path("hostId").asText());
        assertThat(warning.path("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(warning.path("version").asText()).isEqualTo("3");
        assertThat(warning.path("eventId").asText()).isEqualTo("unload-fix_cmdline-early");
        assertThat(warning.path("outcome").asText()).isEqualTo("rejected");
        assertThat(warning.path("message").asText()).startsWith("dropped event unload-fix_cmdline-early: ");
        assertThat(new StateFile(data).load().droppedEvents()).isEqualTo(1);
    }

    @Test
    void aTornCachedArtifactIsDownloadedAgainWithAWarningInOneJsonLine() throws Exception {
        byte[] module = "klp_torn: signed by the fleet, yet no ELF module; refused after the download".getBytes(StandardCharsets.UTF_8);
        String sha = dev.klpfleet.protocol.artifact.Sha256.hex(module);
        fleet.upload(module, "klp_torn", "2", RELEASE);
        FixtureKernel kernel = new FixtureKernel(RELEASE);
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        String[] agent = agentArgs(data, kernel);
        Cli enrolled = Cli.run(concat(agent, "--enroll-token", fleet.enrollmentToken("torn")));
        assertThat(enrolled.code()).as(enrolled.err()).isEqualTo(ExitCodes.OK);
        String rollout = fleet.rollout("klp_torn", "2", "torn");
        fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("applying").asInt() == 1);
        // A power loss while the cache was written by hand or an older agent: the module is there, its manifest never was.
        Path cached = data.resolve("artifacts").resolve(sha);
        Files.createDirectories(cached);
        Files.write(cached.resolve("klp_torn.ko"), module);

        Cli torn = Cli.run(concat(agent, "--log-format", "json"));

        assertThat(torn.json().path("steps").get(0).path("message").asText()).as("verified, then found no module: " + torn.out())
                .startsWith("refused: artifact module-malformed: ");
        JsonNode warning = onlyLine(jsonLines(torn.err()), l -> l.path("level").asText().equals("WARN")
                && l.path("logger").asText().equals(ArtifactCache.class.getName()));
        assertThat(warning.path("host").asText()).isEqualTo(enrolled.json().path("hostId").asText());
        assertThat(warning.path("patch").asText()).isEqualTo("klp_torn");
        assertThat(warning.path("version").asText()).isEqualTo("2");
        assertThat(warning.path("sha256").asText()).isEqualTo(sha);
        assertThat(warning.path("message").asText()).isEqualTo("cached artifact " + sha + " is torn (manifest.json is missing); downloading it again");
        assertThat(cached.resolve("manifest.sig")).as("downloaded again").exists();
    }

    /** {@code agent --once --json} against the fleet, trusting its key, on {@code kernel}. */
    static String[] agentArgs(Path data, FixtureKernel kernel) throws Exception {
        Path key = data.resolveSibling(data.getFileName() + ".pub");
        Files.writeString(key, SigningKeys.publicPem(fleet.key.publicKey()));
        return new String[] {"agent", "--server", fleet.url(), "--server-fingerprint", fleet.fingerprint(), "--data", data.toString(),
                "--public-key", key.toString(), "--kernel-root", kernel.root.toString(), "--once", "--json"};
    }

    /** Every line of a --log-format json stderr, each of which must be one JSON object. */
    static List<JsonNode> jsonLines(String err) throws Exception {
        List<JsonNode> out = new java.util.ArrayList<>();
        for (String line : err.lines().toList()) {
            JsonNode l = WireJson.mapper().readTree(line);
            assertThat(l.isObject()).as("a JSON object per line: " + line + "\nin\n" + err).isTrue();
            out.add(l);
        }
        return out;
    }

    static JsonNode onlyLine(List<JsonNode> lines, java.util.function.Predicate<JsonNode> which) {
        List<JsonNode> hits = lines.stream().filter(which).toList();
        assertThat(hits).as(lines.toString()).hasSize(1);
        return hits.get(0);
    }

    /** The value of the sample {@code series} (name and labels, exactly as written) in a textfile. */
    static double sample(String textfile, String series) {
        return textfile.lines().filter(l -> l.startsWith(series + " ")).map(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElseThrow(() -> new AssertionError(series + " not in\n" + textfile));
    }

    @Test
    void withoutACredentialOrTokenTheAgentSaysHowToEnrollAndChangesNothing() throws Exception {
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Path key = data.resolveSibling(data.getFileName() + ".pub");
        Files.writeString(key, SigningKeys.publicPem(fleet.key.publicKey()));
        Cli c = Cli.run("agent", "--server", fleet.url(), "--server-fingerprint", fleet.fingerprint(), "--data", data.toString(), "--public-key", key.toString(), "--once");
        assertThat(c.code()).isEqualTo(ExitCodes.NOT_ENROLLED);
        assertThat(c.err()).contains("not enrolled", "--enroll-token");
        assertThat(data.resolve("state.json")).doesNotExist();

        Cli badKey = Cli.run("agent", "--server", fleet.url(), "--server-fingerprint", fleet.fingerprint(), "--data", data.toString(), "--public-key", data.toString(), "--once");
        assertThat(badKey.code()).isEqualTo(ExitCodes.BAD_INPUT);
        Cli badUrl = Cli.run("agent", "--server", "fleet:8440", "--data", data.toString(), "--public-key", key.toString(), "--once");
        assertThat(badUrl.code()).isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void anAgentPinningAnotherCertificateSendsNothingAndSaysTheServerIsNotTrusted() throws Exception {
        Path data = Files.createTempDirectory("klpfleet-agent-data");
        Path key = data.resolveSibling(data.getFileName() + ".pub");
        Files.writeString(key, SigningKeys.publicPem(fleet.key.publicKey()));
        String token = fleet.enrollmentToken("mitm");
        String otherPin = "SHA256:" + "AB:".repeat(31) + "CD";
        FixtureKernel kernel = new FixtureKernel(RELEASE);
        Cli c = Cli.run("agent", "--server", fleet.url(), "--server-fingerprint", otherPin, "--data", data.toString(),
                "--public-key", key.toString(), "--enroll-token", token, "--kernel-root", kernel.root.toString(), "--once");
        assertThat(c.code()).isEqualTo(ExitCodes.UNREACHABLE);
        assertThat(c.err()).contains("TLS: server not trusted", "not the pinned " + otherPin).doesNotContain("\tat ");
        assertThat(data.resolve("state.json")).as("not enrolled").doesNotExist();
        // The enrollment token was never presented to the impostor, so it still enrolls a host with the right pin.
        Cli ok = Cli.run("agent", "--server", fleet.url(), "--server-fingerprint", fleet.fingerprint(), "--data", data.toString(),
                "--public-key", key.toString(), "--enroll-token", token, "--kernel-root", kernel.root.toString(), "--once");
        assertThat(ok.code()).as(ok.err()).isEqualTo(ExitCodes.OK);
    }

    /** The host's inventory entry once {@code until} holds, polled within {@link FleetOnLoopback#ENGINE_WAIT}. */
    static JsonNode hostWhen(String hostId, java.util.function.Predicate<JsonNode> until) throws Exception {
        java.time.Instant deadline = java.time.Instant.now().plus(FleetOnLoopback.ENGINE_WAIT);
        JsonNode h = fleet.admin.get("/api/v1/hosts/" + hostId).json();
        while (!until.test(h) && java.time.Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            h = fleet.admin.get("/api/v1/hosts/" + hostId).json();
        }
        return h;
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** One klpfleet command line run in-process, with its exit code and captured output. */
    record Cli(int code, String out, String err) {
        static synchronized Cli run(String... args) {
            PrintStream oldOut = System.out;
            PrintStream oldErr = System.err;
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            try {
                System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
                System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
                int code = Main.run(args);
                return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
            } finally {
                System.setOut(oldOut);
                System.setErr(oldErr);
            }
        }

        JsonNode json() throws Exception {
            return WireJson.mapper().readTree(out);
        }
    }
}
