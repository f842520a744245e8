package dev.klpfleet.testbench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.testbench.KernelLine;
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
 * The crash-loop guard on a real 6.12 kernel: one guest boot applies fix_cmdline through the agent
 * (server on the guest's loopback, agent data on a share that outlives the guest) and then crashes
 * the kernel ({@code echo c > /proc/sysrq-trigger}); the next boot, with the same agent data, runs
 * the agent again: it reports {@code crash-suspected} with the previous boot's evidence and does not
 * load the patch; the rollout halts on it; an operator clears the hold and the agent lifts it.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentCrashLoopVmTest {
    static final String PATCHED = "klpfleet fix_cmdline: this has been live patched";
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    /** Per boot; generous because a loaded machine makes every JVM start in a TCG guest take a minute or more. */
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(20);
    static final ObjectMapper JSON = new ObjectMapper();

    Path share;
    Path repo;
    VmRun crashed;
    VmRun after;

    @BeforeAll
    void applyCrashAndBootAgain() throws Exception {
        repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        share = Files.createTempDirectory("klpfleet-crash-vm");
        host("keys", "generate", "--out", share.resolve("fleet").toString());
        host("build", "--source", repo.resolve("patchbuild/src/test/resources/patches/fix_cmdline").toString(),
                "--kernel", KernelLine.V6_12.release(), "--out", share.resolve("out").toString(), "--key", share.resolve("fleet.key").toString(),
                "--patch-version", "1", "--jobs", "1");
        try (InputStream in = getClass().getResourceAsStream("/scenarios/agent-crash.sh")) {
            Files.copy(in, share.resolve("agent-crash.sh"));
        }
        Vm vm = Vm.boot(KernelLine.V6_12).share(share, "/share").timeout(BOOT_TIMEOUT);
        crashed = vm.run(List.of("bash", "/share/agent-crash.sh", repo.toString(), "/share", "crash"));
        after = vm.run(List.of("bash", "/share/agent-crash.sh", repo.toString(), "/share", "after"));
    }

    @Test
    void the_first_boot_applied_the_patch_through_the_agent_and_then_the_kernel_panicked() {
        assertThat(rc("agent-apply")).as(out("agent-apply") + err("agent-apply")).isZero();
        assertThat(saved("cmdline-patched")).contains(PATCHED);
        assertThat(saved("applied.rc").strip()).as("the rollout counted the host applied").isEqualTo("0");
        // The guard's mark of the load was on disk before the crash, completed, on this boot.
        assertThat(saved("state-before-crash")).contains("\"loads\"", saved("boot-id-crash").strip(), "\"completedAt\"");
        assertThat(crashed.exitCode()).as("the guest died without reporting a status: " + crashed.describe()).isEqualTo(VmRun.NO_STATUS);
        assertThat(crashed.consoleLog()).contains("sysrq triggered crash");
    }

    @Test
    void the_second_boot_ran_its_whole_scenario() {
        assertThat(after.exitCode()).as(after.describe()).isZero();
    }

    @Test
    void after_the_crash_the_agent_reports_crash_suspected_with_the_previous_boots_evidence_and_does_not_load() throws IOException {
        assertThat(saved("boot-id-after").strip()).isNotEqualTo(saved("boot-id-crash").strip());
        assertThat(saved("cmdline-after-crash")).doesNotContain(PATCHED);

        JsonNode report = json("agent-after-crash");
        JsonNode step = report.get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("crash-guard");
        assertThat(step.get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(step.get("result").asText()).isEqualTo("crash-suspected");
        assertThat(report.get("steps").findValuesAsText("action")).as("nothing loaded").doesNotContain("load");
        assertThat(saved("cmdline-after-agent")).doesNotContain(PATCHED);
        assertThat(saved("sysfs-after-agent")).doesNotContain("fix_cmdline");
        assertThat(saved("modules-after-agent")).doesNotContain("fix_cmdline");

        JsonNode event = serverEvent("apply", "crash-suspected");
        JsonNode evidence = JSON.readTree(event.get("evidence_json").asText());
        assertThat(evidence.get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(evidence.get("previousBootId").asText()).isEqualTo(saved("boot-id-crash").strip());
        assertThat(evidence.get("bootId").asText()).isEqualTo(saved("boot-id-after").strip());
        assertThat(evidence.get("reason").asText()).isEqualTo("applied-within-window");
        assertThat(evidence.get("loadCompletedAt").asText()).isNotBlank();
        assertThat(java.time.Instant.parse(evidence.get("lastCheckinAt").asText()))
                .as("the last check-in of the crashed boot came after the load")
                .isAfterOrEqualTo(java.time.Instant.parse(evidence.get("loadCompletedAt").asText()));

        EvidenceRecorder recorder = new EvidenceRecorder(repo, KernelLine.V6_12, getClass().getSimpleName())
                .add("agent-crash-suspected", RecordedEvidence.Kind.CRASH_SUSPECTED, "agent-after-crash (the server's host_events)", evidence);
        recorder.save();
        assertThat(recorder.driftFromRecording()).as(EvidenceRecorder.describe(recorder.driftFromRecording())).isEmpty();
    }

    @Test
    void the_rollout_counts_it_a_failure_and_halts() {
        assertThat(saved("halted.rc").strip()).as(out("rollout-status")).isEqualTo("0");
        JsonNode status = json("rollout-status");
        assertThat(status.get("status").asText()).isEqualTo("PAUSED");
        assertThat(status.get("haltReason").asText()).contains("crash-suspected");
        assertThat(status.get("waves").get(0).get("crashSuspected").asInt()).isEqualTo(1);
        assertThat(status.get("hosts").get(0).get("phase").asText()).isEqualTo("CRASH_SUSPECTED");
    }

    @Test
    void an_operator_clears_the_hold_audited_and_the_agent_lifts_it() {
        JsonNode holds = json("crash-holds");
        assertThat(holds).hasSize(1);
        assertThat(holds.get(0).get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(holds.get(0).get("clearedAt").isNull()).isTrue();

        assertThat(rc("clear-crash")).as(err("clear-crash")).isZero();
        assertThat(json("clear-crash").get(0).get("clearedBy").asText()).isNotBlank();
        assertThat(json("clear-crash").get(0).get("eventId").asText()).isEqualTo(holds.get(0).get("eventId").asText());

        JsonNode step = json("agent-after-clear").get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("crash-guard");
        assertThat(step.get("result").asText()).isEqualTo("cleared");
        assertThat(saved("state-after-clear")).contains("\"crashSuspects\" : { }");
        assertThat(out("audit")).contains("host.clear-crash", "vm test: fix_cmdline did not cause it");
    }

    private JsonNode serverEvent(String kind, String result) {
        List<JsonNode> all = new ArrayList<>();
        json("server-events").forEach(all::add);
        return all.stream().filter(e -> e.get("kind").asText().equals(kind) && e.get("result").asText().equals(result)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " event with result " + result + " at the server: " + all));
    }

    private void host(String... args) throws IOException, InterruptedException {
        List<String> argv = new ArrayList<>(List.of(repo.resolve("bin/klpfleet").toString()));
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
