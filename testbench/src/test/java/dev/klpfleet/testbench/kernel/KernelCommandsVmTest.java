package dev.klpfleet.testbench.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.testbench.KernelLine;
import dev.klpfleet.testbench.TestModules;
import dev.klpfleet.testbench.Vm;
import dev.klpfleet.testbench.VmRun;
import dev.klpfleet.testbench.evidence.EvidenceRecorder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Every {@code klpfleet kernel} command against a real Debian kernel booted under qemu, with the
 * project's own test modules. One boot per kernel line runs scenarios/kernel-commands.sh; each
 * test checks one scenario's evidence.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class KernelCommandsVmTest {
    static final String PATCHED_CMDLINE = "klpfleet: patched cmdline v1";
    /** Recorded name to the scenario step whose {@code --json} document it is (the agent's apply/unload evidence). */
    static final Map<String, String> EVIDENCE = evidenceSteps();

    private Path repo;

    private ScenarioOutputs s;
    private VmRun run;

    abstract KernelLine line();

    abstract KernelLine otherLine();

    @BeforeAll
    void runScenariosInAGuest() throws IOException {
        Path share = Files.createTempDirectory("klpfleet-vmtest-" + line().line());
        TestModules modules = TestModules.forLine(line());
        for (String m : List.of("klpf_cmdline", "klpf_target", "klpf_target_patch", "klpf_revert_stall", "klpf_replace_v1", "klpf_replace_v2")) {
            Files.copy(modules.ko(m), share.resolve(m + ".ko"));
        }
        Files.createDirectories(share.resolve("other"));
        Files.copy(TestModules.forLine(otherLine()).ko("klpf_cmdline"), share.resolve("other/klpf_cmdline.ko"));
        Path script = share.resolve("kernel-commands.sh");
        try (InputStream in = getClass().getResourceAsStream("/scenarios/kernel-commands.sh")) {
            Files.copy(in, script);
        }
        repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        run = Vm.boot(line()).share(share, "/share").timeout(Duration.ofMinutes(30))
                .run(List.of("bash", "/share/kernel-commands.sh", repo.toString(), "/share"));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        s = new ScenarioOutputs(share);
    }

    @Test
    void the_load_and_unload_documents_keep_the_shape_of_the_committed_recording() throws IOException {
        EvidenceRecorder recorder = new EvidenceRecorder(repo, line(), getClass().getSimpleName());
        EVIDENCE.forEach((name, step) -> recorder.add(name, RecordedEvidence.Kind.LOAD_RESULT, step, s.json(step)));
        recorder.save();
        org.junit.jupiter.api.Assumptions.assumeFalse(recorder.predates("/impact/pinning"), recorder.predatesMessage("/impact/pinning"));
        List<String> drift = recorder.driftFromRecording();
        assertThat(drift).as(EvidenceRecorder.describe(drift)).isEmpty();
    }

    @Test
    void a_loaded_patch_changes_proc_cmdline_and_status_and_inspect_agree_with_sysfs() {
        assertThat(s.json("status-before").get("patches")).isEmpty();
        assertThat(s.rc("preflight-cmdline")).isZero();

        JsonNode load = s.json("load-cmdline");
        assertThat(s.rc("load-cmdline")).isZero();
        assertThat(load.get("result").asText()).isEqualTo("applied");
        assertThat(load.get("patch").asText()).isEqualTo("klpf_cmdline");
        assertThat(s.saved("cmdline-patched")).contains(PATCHED_CMDLINE);
        assertThat(s.saved("cmdline-before")).doesNotContain(PATCHED_CMDLINE);

        // The kernel's own log of this load, and its timing of the transition.
        assertThat(texts(load.get("kernelLog"))).anyMatch(l -> l.contains("livepatch: enabling patch 'klpf_cmdline'"))
                .anyMatch(l -> l.contains("'klpf_cmdline': patching complete"));
        JsonNode t = load.get("timings");
        assertThat(t.get("insmodMs").asLong()).isPositive();
        assertThat(t.get("transitionMs").isNumber()).isTrue();
        assertThat(t.get("detectionLagMs").isNumber()).isTrue();
        assertThat(load.get("impact").get("insmod").has("ksoftirqdMaxDelayNanos")).isTrue();

        // Loading a livepatch taints the kernel with K (bit 15).
        assertThat(Long.parseLong(s.saved("tainted-patched").strip()) & (1L << 15)).isNotZero();

        // status shows exactly what sysfs holds.
        JsonNode patch = s.json("status-patched").get("patches").get(0);
        assertThat(patch.get("name").asText()).isEqualTo("klpf_cmdline");
        assertThat(patch.get("enabled").asBoolean()).isTrue();
        assertThat(patch.get("transition").asBoolean()).isFalse();
        JsonNode object = patch.get("objects").get(0);
        assertThat(object.get("name").asText()).isEqualTo("vmlinux");
        assertThat(object.get("patched").asBoolean()).isTrue();
        assertThat(s.saved("sysfs-cmdline")).contains("/sys/kernel/livepatch/klpf_cmdline/vmlinux/"
                + object.get("funcs").get(0).get("name").asText() + "," + object.get("funcs").get(0).get("sympos").asText());
        assertThat(s.json("status-patched").get("taint").get("value").asLong() & (1L << 15)).isNotZero();
        assertThat(s.out("status-patched-human")).contains("klpf_cmdline", "enabled", "cmdline_proc_show,1");

        // module inspect, read from the file alone, names the same object and function sysfs shows.
        JsonNode inspected = s.json("inspect-cmdline");
        assertThat(inspected.get("objects").get(0).get("name").asText()).isEqualTo("vmlinux");
        assertThat(inspected.get("objects").get(0).get("funcs").get(0).get("name").asText())
                .isEqualTo(object.get("funcs").get(0).get("name").asText());
        assertThat(inspected.get("sha256").asText()).isEqualTo(load.get("sha256").asText());
    }

    @Test
    void loading_the_same_patch_again_changes_nothing_and_says_so() {
        assertThat(s.rc("load-cmdline-again")).isZero();
        assertThat(s.json("load-cmdline-again").get("result").asText()).isEqualTo("applied");
        assertThat(s.json("load-cmdline-again").get("message").asText()).startsWith("already applied");
    }

    @Test
    void unload_restores_the_old_behaviour_and_removes_the_module() {
        assertThat(s.rc("unload-cmdline")).isZero();
        assertThat(s.json("unload-cmdline").get("result").asText()).isEqualTo("unloaded");
        assertThat(s.saved("cmdline-after")).isEqualTo(s.saved("cmdline-before"));
        assertThat(s.saved("modules-after-unload").strip()).isEqualTo("0");
        assertThat(s.rc("unload-missing")).isEqualTo(5);
        assertThat(s.json("unload-missing").get("result").asText()).isEqualTo("not-loaded");
    }

    @Test
    void a_kernel_thread_sleeping_in_a_replaced_function_stalls_the_load_which_is_reversed() {
        JsonNode stall = s.json("load-stall");
        assertThat(s.rc("load-stall")).isEqualTo(12);
        assertThat(stall.get("result").asText()).isEqualTo("stalled-reverted");

        JsonNode sleeper = firstBlocker(stall, "klpf_sleeper");
        assertThat(sleeper.get("kthread").asBoolean()).isTrue();
        assertThat(sleeper.get("pid").asInt()).isPositive();
        assertThat(sleeper.get("patchState").asText()).isEqualTo("unpatched");
        assertThat(texts(sleeper.get("functions"))).containsExactly("klpf_target_wait [klpf_target]");
        assertThat(texts(sleeper.get("stack"))).anyMatch(f -> f.contains("klpf_target_wait"));
        assertThat(stall.get("message").asText()).contains("klpf_sleeper", "klpf_target_wait");
        assertThat(texts(stall.get("kernelLog"))).anyMatch(l -> l.contains("'klpf_target_patch': unpatching complete"));

        // Afterwards the kernel is unpatched and the patch module is gone; the target module stays.
        assertThat(s.saved("sysfs-after-stall")).doesNotContain("klpf_target_patch");
        assertThat(s.saved("modules-after-stall")).doesNotContain("klpf_target_patch").contains("klpf_target");
        assertThat(s.saved("target-after-stall")).contains("target v0");
    }

    @Test
    void with_on_stall_wait_the_transition_stays_and_blockers_and_unload_handle_it() {
        assertThat(s.rc("load-wait")).isEqualTo(13);
        assertThat(s.json("load-wait").get("result").asText()).isEqualTo("stalled-waiting");
        assertThat(s.saved("transition-waiting").strip()).isEqualTo("1");

        JsonNode blockers = s.json("blockers");
        assertThat(blockers.get(0).get("patch").asText()).isEqualTo("klpf_target_patch");
        assertThat(blockers.get(0).get("target").asText()).isEqualTo("patched");
        assertThat(texts(firstBlocker(blockers.get(0), "klpf_sleeper").get("functions"))).containsExactly("klpf_target_wait [klpf_target]");
        assertThat(s.out("blockers-human")).contains("klpf_sleeper (kernel thread)", "sleeping in klpf_target_wait [klpf_target]");

        // Unloading a patch stuck mid-transition reverses it: the sleeper never ran the new code.
        assertThat(s.json("unload-waiting").get("result").asText()).as(s.out("unload-waiting")).isEqualTo("unloaded");
        assertThat(s.saved("modules-after-unload-waiting")).doesNotContain("klpf_target_patch");
    }

    @Test
    void a_task_asleep_in_a_new_function_stalls_the_reversal_and_the_load_reports_revert_stalled() {
        JsonNode r = s.json("load-revert-stall");
        assertThat(s.rc("load-revert-stall")).as(s.out("load-revert-stall")).isEqualTo(14);
        assertThat(r.get("result").asText()).isEqualTo("revert-stalled");
        assertThat(r.get("message").asText()).contains("klpf_napper", "a human must look");

        // The blocker of the reversal is the task that already runs the new code, asleep inside it.
        JsonNode napper = firstBlocker(r, "klpf_napper");
        assertThat(napper.get("kthread").asBoolean()).isTrue();
        assertThat(napper.get("patchState").asText()).isEqualTo("patched");
        assertThat(texts(napper.get("functions"))).containsExactly("klpf_revert_stall_nap [klpf_revert_stall]");
        assertThat(texts(napper.get("stack"))).anyMatch(f -> f.contains("klpf_revert_stall_nap"));
        // Bounded by --reverse-timeout 5s (the default 30 s only costs suite time here).
        assertThat(r.get("timings").get("revertMs").asLong()).isGreaterThanOrEqualTo(5_000).isLessThan(30_000);

        // The kernel agrees: still in transition, disabled (reversing), the napper patched.
        assertThat(s.saved("transition-revert-stall").strip()).isEqualTo("1");
        assertThat(s.saved("enabled-revert-stall").strip()).isEqualTo("0");
        assertThat(s.saved("napper-state-revert-stall").strip()).isEqualTo("1");

        // Released, the reversal completes by itself and unload removes the module.
        assertThat(s.saved("sysfs-after-release")).doesNotContain("klpf_revert_stall");
        assertThat(s.json("unload-revert-stall").get("result").asText()).as(s.out("unload-revert-stall")).isEqualTo("unloaded");
        assertThat(s.saved("modules-after-revert-stall")).doesNotContain("klpf_revert_stall");
    }

    @Test
    void a_sleeper_that_leaves_the_function_makes_the_stall_transient_and_a_later_attempt_applies() {
        JsonNode first = s.json("load-transient-1");
        assertThat(first.get("result").asText()).as(s.out("load-transient-1")).isEqualTo("stalled-reverted");
        JsonNode sleeper = firstBlocker(first, "klpf_sleeper");
        assertThat(texts(sleeper.get("functions"))).containsExactly("klpf_target_wait [klpf_target]");
        assertThat(sleeper.get("state").asText()).as("asleep, not CPU-bound").isNotEqualTo("R");
        assertThat(first.get("advice")).as("a sleeping kthread gets no CPU-bound advice on " + line().line()).isEmpty();
        assertThat(s.saved("sleeper-stack-between")).as("still in the function after the reversal").contains("klpf_target_wait");
        assertThat(s.saved("sleeper-stack-after")).doesNotContain("klpf_target_wait");
        JsonNode second = s.json("load-transient-2");
        assertThat(second.get("result").asText()).as(s.out("load-transient-2")).isEqualTo("applied");
        assertThat(s.json("unload-transient").get("result").asText()).isEqualTo("unloaded");
    }

    @Test
    void insmod_ran_pinned_to_the_cpu_with_the_fewest_softirqs_and_unpinned_when_asked() {
        for (String step : List.of("load-cmdline", "load-pinned-netload")) {
            JsonNode load = s.json(step);
            assertThat(load.get("result").asText()).as(step).isEqualTo("applied");
            JsonNode pin = load.get("impact").get("pinning");
            assertThat(pin.get("cpus").size()).as(step + ": the guest has 2 CPUs").isEqualTo(2);
            int cpu = pin.get("cpu").asInt();
            // The chosen CPU had the fewest counted softirqs in the window (ties to the higher number) ...
            JsonNode before = pin.get("before");
            for (int i = 0; i < before.size(); i++) {
                assertThat(before.get(i).asLong()).as(step + " " + pin).isGreaterThanOrEqualTo(before.get(indexOf(pin.get("cpus"), cpu)).asLong());
            }
            // ... and the shell that ran insmod, as the kernel shows it in /proc/PID/status, could run there only.
            assertThat(pin.get("cpusAllowed").asText()).as(step + " " + pin).isEqualTo(String.valueOf(cpu));
            assertThat(pin.get("during").size()).isEqualTo(2);
        }
        JsonNode off = s.json("load-unpinned").get("impact").get("pinning");
        assertThat(off.get("cpu").isNull()).isTrue();
        assertThat(off.get("why").asText()).contains("turned off");
        assertThat(s.json("unload-unpinned").get("result").asText()).isEqualTo("unloaded");
        assertThat(s.saved("net-load")).as("loopback traffic ran during the pinned load").contains("yes");
    }

    private static int indexOf(JsonNode array, int value) {
        for (int i = 0; i < array.size(); i++) {
            if (array.get(i).asInt() == value) {
                return i;
            }
        }
        throw new AssertionError(value + " not in " + array);
    }

    @Test
    void atomic_replace_v2_supersedes_v1_whose_module_is_removed() {
        assertThat(s.json("load-v1").get("result").asText()).isEqualTo("applied");
        assertThat(s.saved("version-v1")).contains("klpfleet replace v1");
        JsonNode v2 = s.json("load-v2");
        assertThat(v2.get("result").asText()).isEqualTo("applied");
        assertThat(texts(v2.get("replaced"))).containsExactly("klpf_replace_v1");
        assertThat(s.saved("version-v2")).contains("klpfleet replace v2");
        assertThat(s.json("status-replaced").get("patches")).extracting(p -> p.get("name").asText()).containsExactly("klpf_replace_v2");
        assertThat(s.saved("modules-after-replace")).doesNotContain("klpf_replace_v1").contains("klpf_replace_v2");
        assertThat(s.json("unload-v2").get("result").asText()).isEqualTo("unloaded");
        assertThat(s.saved("version-after")).doesNotContain("klpfleet replace");
    }

    @Test
    void a_module_built_for_the_other_kernel_line_is_refused_on_vermagic() {
        assertThat(s.rc("load-other-kernel")).isEqualTo(10);
        JsonNode r = s.json("load-other-kernel");
        assertThat(r.get("result").asText()).isEqualTo("refused");
        assertThat(r.get("message").asText()).contains("vermagic", otherLine().release());
    }

    @Test
    void truncated_and_non_elf_files_are_bad_input_with_one_line_errors() {
        assertThat(s.rc("load-truncated")).isEqualTo(3);
        assertThat(s.err("load-truncated").strip()).startsWith("klpfleet: /tmp/truncated.ko: ").doesNotContain("\n");
        assertThat(s.out("load-truncated")).isEmpty();
        assertThat(s.rc("load-notelf")).isEqualTo(3);
        assertThat(s.err("load-notelf").strip()).startsWith("klpfleet: /tmp/notelf.ko: ").doesNotContain("\n");
    }

    @Test
    void ftrace_disabled_is_refused_before_anything_is_loaded() {
        assertThat(s.rc("load-ftrace-off")).isEqualTo(10);
        assertThat(s.json("load-ftrace-off").get("message").asText()).contains("ftrace_enabled = 0");
        assertThat(s.saved("modules-after-refused")).doesNotContain("klpf_");
        assertThat(s.saved("sysfs-after-refused").strip()).isEmpty();
    }

    @Test
    void preflight_sees_a_kprobe_and_an_ftrace_user_on_the_replaced_function() {
        assertThat(s.json("preflight-kprobe").get("verdict").asText()).isEqualTo("warn");
        assertThat(s.rc("preflight-kprobe")).isZero();
        assertThat(check(s.json("preflight-kprobe"), "kprobes").get("verdict").asText()).isEqualTo("warn");
        assertThat(check(s.json("preflight-kprobe"), "kprobes").get("reason").asText()).contains("entry of cmdline_proc_show", "keeps firing");
        assertThat(check(s.json("preflight-ftrace"), "ftrace-users").get("verdict").asText()).isEqualTo("warn");
        assertThat(check(s.json("preflight-cmdline"), "kprobes").get("verdict").asText()).isEqualTo("pass");
        assertThat(check(s.json("preflight-cmdline"), "ftrace-users").get("verdict").asText()).isEqualTo("pass");
    }

    private static Map<String, String> evidenceSteps() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("applied", "load-cmdline");
        m.put("applied-already", "load-cmdline-again");
        m.put("applied-replace", "load-v2");
        m.put("unloaded", "unload-cmdline");
        m.put("not-loaded", "unload-missing");
        m.put("stalled-reverted", "load-stall");
        m.put("stalled-waiting", "load-wait");
        m.put("revert-stalled", "load-revert-stall");
        m.put("unloaded-mid-transition", "unload-waiting");
        m.put("refused", "load-other-kernel");
        m.put("refused-ftrace-off", "load-ftrace-off");
        return m;
    }

    private static JsonNode check(JsonNode preflight, String name) {
        for (JsonNode c : preflight.get("checks")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no check " + name + " in " + preflight);
    }

    private static JsonNode firstBlocker(JsonNode result, String comm) {
        for (JsonNode b : result.get("blockers")) {
            if (b.get("comm").asText().equals(comm)) {
                return b;
            }
        }
        throw new AssertionError("no blocker " + comm + " in " + result.get("blockers"));
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }
}
