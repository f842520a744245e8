package dev.klpfleet.testbench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.testbench.KernelLine;
import dev.klpfleet.testbench.TestModules;
import dev.klpfleet.testbench.Vm;
import dev.klpfleet.testbench.VmRun;
import dev.klpfleet.testbench.evidence.EvidenceRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host agent on a real 6.12 kernel, end to end: the patch is built and signed on the host,
 * then one guest runs a klpfleet server on its own loopback, uploads the build, rolls it out to
 * one host at a time, and {@code klpfleet agent --once} enrolls, downloads, verifies and loads it
 * ({@code /proc/cmdline} changes); after a rollback the next {@code --once} unloads it
 * ({@code /proc/cmdline} is restored) and the rollout counts the host rolled back. Then a rollout of
 * klpf_target_patch over a running klpf_target stalls (its kthread sleeps in the replaced function):
 * the agent, run with {@code --stall-timeout 2s --on-stall wait}, reports {@code stalled-waiting}
 * naming the blocker; and a bad taint flag becomes the agent's health event.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRolloutVmTest {
    static final String PATCHED = "klpfleet fix_cmdline: this has been live patched";
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    static final ObjectMapper JSON = new ObjectMapper();

    Path share;
    Path repo;
    VmRun run;

    @BeforeAll
    void buildSignAndRunTheRoundTripInAGuest() throws Exception {
        repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        share = Files.createTempDirectory("klpfleet-agent-vm");
        String release = KernelLine.V6_12.release();
        host(repo, "keys", "generate", "--out", share.resolve("fleet").toString());
        host(repo, "build", "--source", repo.resolve("patchbuild/src/test/resources/patches/fix_cmdline").toString(),
                "--kernel", release, "--out", share.resolve("out").toString(), "--key", share.resolve("fleet.key").toString(),
                "--patch-version", "1", "--jobs", "1");
        // klpf_target is out of tree: a modules.dep naming it lets the object-exists lint pass (the symbol lints stay unknown).
        Path symbols = Files.createDirectories(share.resolve("symbols"));
        Files.writeString(symbols.resolve("modules.dep-" + release), "extra/klpf_target.ko:\n");
        host(repo, "build", "--source", repo.resolve("testbench/modules/klpf_target_patch").toString(),
                "--kernel", release, "--out", share.resolve("out-stall").toString(), "--key", share.resolve("fleet.key").toString(),
                "--patch-version", "1", "--jobs", "1", "--symbols", symbols.toString());
        Files.copy(TestModules.forLine(KernelLine.V6_12).ko("klpf_target"), share.resolve("klpf_target.ko"));
        try (InputStream in = getClass().getResourceAsStream("/scenarios/agent-rollout.sh")) {
            Files.copy(in, share.resolve("agent-rollout.sh"));
        }
        run = Vm.boot(KernelLine.V6_12).share(share, "/share").timeout(Duration.ofMinutes(15))
                .run(List.of("bash", "/share/agent-rollout.sh", repo.toString(), "/share"));
        assertThat(run.exitCode()).as(run.describe()).isZero();
    }

    @Test
    void the_agent_enrolls_and_with_nothing_desired_does_nothing() {
        assertThat(rc("upload")).as(err("upload")).isZero();
        assertThat(rc("agent-enroll")).as(err("agent-enroll")).isZero();
        JsonNode enroll = json("agent-enroll");
        assertThat(enroll.get("enrolled").asBoolean()).isTrue();
        assertThat(enroll.get("hostId").asText()).isNotBlank();
        assertThat(enroll.get("steps")).isEmpty();
        assertThat(enroll.get("outcome").asText()).isEqualTo("idle");
    }

    @Test
    void a_rolled_out_patch_is_downloaded_verified_and_loaded_for_real_and_reported() {
        assertThat(rc("rollout-create")).as(err("rollout-create")).isZero();
        assertThat(saved("dispatched.rc").strip()).as("the engine dispatched the host").isEqualTo("0");
        assertThat(rc("agent-apply")).as(out("agent-apply") + err("agent-apply")).isZero();
        JsonNode apply = json("agent-apply");
        JsonNode step = apply.get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("load");
        assertThat(step.get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(step.get("result").asText()).isEqualTo("applied");
        assertThat(step.get("evidence").get("result").asText()).isEqualTo("applied");
        assertThat(step.get("evidence").get("kernelLog").toString()).contains("patching complete");
        assertThat(apply.get("steps")).hasSize(1);
        assertThat(apply.get("outcome").asText()).isEqualTo("idle");

        assertThat(saved("cmdline-before")).doesNotContain(PATCHED);
        assertThat(saved("cmdline-patched")).contains(PATCHED);
        assertThat(saved("sysfs-patched")).contains("fix_cmdline");
        assertThat(saved("applied.rc").strip()).as("the rollout counted the host applied").isEqualTo("0");
    }

    @Test
    void running_the_agent_again_changes_nothing() {
        assertThat(rc("agent-apply-again")).isZero();
        assertThat(out("agent-apply-again")).contains("no steps", "DONE");
    }

    @Test
    void after_a_rollback_the_agent_unloads_the_patch_and_the_rollout_shows_it() {
        assertThat(rc("rollback")).as(err("rollback")).isZero();
        assertThat(rc("agent-unload")).as(out("agent-unload") + err("agent-unload")).isZero();
        JsonNode step = json("agent-unload").get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("unload");
        assertThat(step.get("result").asText()).isEqualTo("unloaded");
        assertThat(step.get("evidence").get("result").asText()).isEqualTo("unloaded");
        assertThat(saved("cmdline-after")).isEqualTo(saved("cmdline-before"));
        assertThat(saved("sysfs-after")).doesNotContain("fix_cmdline");
        assertThat(saved("modules-after")).doesNotContain("fix_cmdline");

        assertThat(saved("rolled-back.rc").strip()).as("the rollout counted the host rolled back").isEqualTo("0");
        JsonNode status = json("rollout-status");
        assertThat(status.get("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(status.get("waves").get(0).get("rolledBack").asInt()).isEqualTo(1);
        assertThat(status.get("decisions").findValuesAsText("kind")).contains("DISPATCH", "ROLLBACK");
        assertThat(json("hosts").get(0).get("loaded")).isEmpty();
        assertThat(saved("agent-state")).contains("\"managed\" : { }").contains("\"outbox\" : [ ]");
    }

    @Test
    void with_on_stall_wait_the_agent_reports_stalled_waiting_and_the_server_records_the_blocker() throws IOException {
        assertThat(rc("upload-stall")).as(err("upload-stall")).isZero();
        assertThat(rc("rollout-stall-create")).as(err("rollout-stall-create")).isZero();
        assertThat(saved("stall-dispatched.rc").strip()).as("the engine dispatched the host").isEqualTo("0");

        // The event as the server stored it: the agent's evidence names the blocker and where it sleeps.
        JsonNode event = serverEvent("apply", "stalled-waiting");
        assertThat(event.get("patch_name").asText()).isEqualTo("klpf_target_patch");
        JsonNode evidence = JSON.readTree(event.get("evidence_json").asText());
        assertThat(evidence.get("result").asText()).isEqualTo("stalled-waiting");
        assertThat(evidence.get("message").asText()).contains("klpf_sleeper", "klpf_target_wait");
        JsonNode sleeper = blocker(evidence, "klpf_sleeper");
        assertThat(sleeper.get("patchState").asText()).isEqualTo("unpatched");
        assertThat(sleeper.get("functions").toString()).contains("klpf_target_wait [klpf_target]");
        // When the server had it, the kernel was still in transition: the agent left it running, as asked.
        assertThat(saved("transition-agent-stall").strip()).isEqualTo("1");

        JsonNode step = json("agent-stall").get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("load");
        assertThat(step.get("patch").asText()).isEqualTo("klpf_target_patch");
        assertThat(step.get("result").asText()).isEqualTo("stalled-waiting");
        assertThat(json("unload-agent-stall").get("result").asText()).as(out("unload-agent-stall")).isEqualTo("unloaded");

        EvidenceRecorder recorder = new EvidenceRecorder(repo, KernelLine.V6_12, getClass().getSimpleName())
                .add("agent-stalled-waiting", RecordedEvidence.Kind.LOAD_RESULT, "agent-stall (the server's host_events)", evidence);
        recorder.save();
        assertThat(recorder.driftFromRecording()).as(EvidenceRecorder.describe(recorder.driftFromRecording())).isEmpty();
    }

    @Test
    void a_bad_taint_flag_becomes_the_agents_health_event_at_the_server() throws IOException {
        assertThat(rc("agent-taint")).as(out("agent-taint") + err("agent-taint")).isZero();
        JsonNode event = null;
        for (JsonNode e : serverEvents()) {
            if (e.get("kind").asText().equals("health") && e.get("event_id").asText().startsWith("health-taint")) {
                event = e;
            }
        }
        assertThat(event).as("the agent's health-taint event at the server: " + serverEvents()).isNotNull();
        JsonNode evidence = JSON.readTree(event.get("evidence_json").asText());
        assertThat(evidence.get("addedBad").findValuesAsText("letter")).containsExactly("W");
        assertThat(evidence.get("taint").asLong() & 512).isEqualTo(512);
        assertThat(evidence.get("message").asText()).contains("W");

        // Recorded under a separate kind: the health document is not a LoadResult.
        EvidenceRecorder recorder = new EvidenceRecorder(repo, KernelLine.V6_12, getClass().getSimpleName() + "-health")
                .add("health-taint", RecordedEvidence.Kind.HEALTH_TAINT, "agent-taint (the server's host_events)", evidence);
        recorder.save();
        assertThat(recorder.driftFromRecording()).as(EvidenceRecorder.describe(recorder.driftFromRecording())).isEmpty();
    }

    private JsonNode serverEvent(String kind, String result) {
        for (JsonNode e : serverEvents()) {
            if (e.get("kind").asText().equals(kind) && e.get("result").asText().equals(result)) {
                return e;
            }
        }
        throw new AssertionError("no " + kind + " event with result " + result + " at the server: " + serverEvents()
                + "\n" + err("server-events"));
    }

    private List<JsonNode> serverEvents() {
        List<JsonNode> out = new ArrayList<>();
        json("server-events").forEach(out::add);
        return out;
    }

    private static JsonNode blocker(JsonNode evidence, String comm) {
        for (JsonNode b : evidence.get("blockers")) {
            if (b.get("comm").asText().equals(comm)) {
                return b;
            }
        }
        throw new AssertionError("no blocker " + comm + " in " + evidence.get("blockers"));
    }

    private void host(Path repo, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of(repo.resolve("bin/klpfleet").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(share.resolve(args[0] + ".log").toFile()).start();
        if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("klpfleet " + args[0] + " did not finish within " + BUILD_TIMEOUT);
        }
        assertThat(p.exitValue()).as("klpfleet " + String.join(" ", args) + ":\n" + Files.readString(share.resolve(args[0] + ".log")))
                .isZero();
    }

    private int rc(String step) {
        return Integer.parseInt(saved(step + ".rc").strip());
    }

    private JsonNode json(String step) {
        try {
            return JSON.readTree(out(step));
        } catch (IOException e) {
            throw new AssertionError(step + " did not print JSON: " + out(step) + "\n" + err(step), e);
        }
    }

    private String out(String step) {
        return saved(step + ".out");
    }

    private String err(String step) {
        return saved(step + ".err");
    }

    private String saved(String name) {
        try {
            return Files.readString(share.resolve(name.contains(".") ? name : name + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException("the guest left no " + name, e);
        }
    }
}
