package dev.klpfleet.kernel.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.kernel.preflight.Preflight;
import dev.klpfleet.kernel.task.PatchState;
import dev.klpfleet.kernel.task.Tasks;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.kernel.transition.BlockerFinder;
import dev.klpfleet.kernel.transition.TransitionWatch;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kernel-aware advice on a stall: a CPU-bound kernel thread before 6.4 is named with its kernel fix;
 * before 5.1 the loader writes {@code signal} half-way through the stall timeout; nothing ever writes
 * {@code force}. On a scripted kernel whose release the test sets (the VM kernels are 6.1 and 6.12).
 */
class StallAdviceTest {
    static final String NAME = "klp_single";

    static Blocker busy(String state) {
        return new Blocker(42, 42, "vhost-41", true, PatchState.UNPATCHED, List.of("[<0>] vhost_worker+0x7c/0xe0 [vhost]"),
                List.of("vhost_worker [vhost]"), state);
    }

    @Test
    void aRunningKernelThreadBefore64IsNamedWithTheCondReschedFix() {
        List<String> advice = StallAdvice.forBlockers("6.1.0-28-amd64", List.of(busy("R")));
        assertThat(advice).singleElement().asString()
                .contains("CPU-bound kernel thread vhost-41 pid 42", "state R in /proc/42/stat",
                        "livepatch,sched: Add livepatch task switching to cond_resched()", "upstream in 6.4", "this kernel is 6.1");
        assertThat(StallAdvice.forBlockers("6.12.117+deb12-amd64", List.of(busy("R")))).as("6.4 has the fix").isEmpty();
        assertThat(StallAdvice.forBlockers("6.1.0-28-amd64", List.of(busy("S")))).as("asleep: not CPU-bound").isEmpty();
        assertThat(StallAdvice.forBlockers("6.1.0-28-amd64", List.of(new Blocker(7, 7, "bash", false, PatchState.UNPATCHED,
                List.of(), List.of(), "R")))).as("a user task gets a fake signal").isEmpty();
        assertThat(StallAdvice.kernelSignalsItself("5.0.21")).isFalse();
        assertThat(StallAdvice.kernelSignalsItself("5.1.0")).isTrue();
    }

    /** The scripted kernel at {@code release}, with one kernel thread asleep-or-running in the patched function. */
    static LoadResult stallOn(Path dir, String release, String state, ScriptedKernel[] out) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        // The modules at hand are built for these two; a 4.19 kernel is the 6.12 one telling its release after insmod.
        String built = release.startsWith("6.1.") ? "6.1.0-56-amd64" : "6.12.117+deb12-amd64";
        Files.writeString(root.path("/proc/sys/kernel/osrelease"), (release.startsWith("6.1.") ? built : "6.12.117+deb12-amd64") + "\n");
        for (String other : List.of("klpf_target_patch", "klpf_cmdline")) {
            try (var all = Files.walk(root.path("/sys/kernel/livepatch/" + other))) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        ScriptedKernel kernel = new ScriptedKernel(root);
        out[0] = kernel;
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(Duration.ofMillis(100));
        kernel.afterInsmod = () -> {
            // A kernel thread in cmdline_proc_show, not yet switched, in the given scheduler state.
            String t = "/proc/4242/task/4242";
            kernel.writeFile(t + "/comm", "busy_kthread");
            kernel.writeFile(t + "/stat", "4242 (busy_kthread) " + state + " 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 100 0 0");
            kernel.writeFile(t + "/patch_state", "0");
            kernel.writeFile(t + "/stack", "[<0>] cmdline_proc_show+0x10/0x40\n[<0>] kthread+0xd2/0x100");
            // The per-patch signal attribute of 4.18..5.0, and force (4.12..), so a write to either would be seen.
            kernel.writeFile("/sys/kernel/livepatch/" + NAME + "/signal", "");
            kernel.writeFile("/sys/kernel/livepatch/" + NAME + "/force", "");
            kernel.writeFile("/proc/sys/kernel/osrelease", release.startsWith("6.1.") ? built : release);
        };
        Path ko = Path.of(StallAdviceTest.class.getResource("/modules/" + built + "/" + NAME + ".ko").toURI());
        ModuleInspection module = ModuleInspector.inspect(ko);
        TransitionWatch watch = new TransitionWatch(kernel.sysfs(), new BlockerFinder(new Tasks(root)), kernel.clock(), kernel.pause());
        PatchLoader loader = new PatchLoader(root, kernel.sysfs(), new Preflight(root), watch, kernel, kernel.wall(), kernel.clock(),
                kernel.pause(), RandomGenerator.getDefault(), ScriptedKernel.NO_LOG);
        return loader.load(ko, module, new LoadOptions(Duration.ofSeconds(10), OnStall.REVERSE, false, Duration.ofSeconds(5), false));
    }

    @Test
    void onA61KernelAStallByARunningKernelThreadSaysSoInTheOutcomeAndForceIsNeverWritten(@TempDir Path dir) throws Exception {
        ScriptedKernel[] k = new ScriptedKernel[1];
        LoadResult r = stallOn(dir, "6.1.0-56-amd64", "R", k);

        assertThat(r.result()).as(r.message()).isEqualTo(Result.STALLED_REVERTED);
        assertThat(r.blockers()).filteredOn(b -> b.pid() == 4242).singleElement().satisfies(b -> {
            assertThat(b.comm()).isEqualTo("busy_kthread");
            assertThat(b.state()).isEqualTo("R");
            assertThat(b.kthread()).isTrue();
        });
        assertThat(r.advice()).singleElement().asString().startsWith("CPU-bound kernel thread busy_kthread pid 4242");
        assertThat(r.message()).contains("CPU-bound kernel thread busy_kthread", "upstream in 6.4");
        assertThat(k[0].writes).as("6.1 signals by itself; nothing writes force").noneMatch(w -> w.contains("/force=") || w.contains("/signal="));
    }

    @Test
    void before51TheLoaderSignalsHalfWayAndStillNeverForces(@TempDir Path dir) throws Exception {
        ScriptedKernel[] k = new ScriptedKernel[1];
        LoadResult r = stallOn(dir, "4.19.0-27-amd64", "S", k);

        assertThat(r.result()).isEqualTo(Result.STALLED_REVERTED);
        assertThat(k[0].writes).as(r.message() + " " + r.advice()).filteredOn(w -> w.contains("/signal=")).containsExactly("/sys/kernel/livepatch/" + NAME + "/signal=1");
        assertThat(k[0].writes).noneMatch(w -> w.contains("/force"));
        assertThat(r.advice()).anyMatch(a -> a.startsWith("wrote 1 to /sys/kernel/livepatch/" + NAME + "/signal after 5.0 s"));
        assertThat(r.advice()).as("asleep: not CPU-bound").noneMatch(a -> a.startsWith("CPU-bound"));
    }

    @Test
    void on612NoAdviceAndNoSignal(@TempDir Path dir) throws Exception {
        ScriptedKernel[] k = new ScriptedKernel[1];
        LoadResult r = stallOn(dir, "6.12.117+deb12-amd64", "R", k);
        assertThat(r.result()).isEqualTo(Result.STALLED_REVERTED);
        assertThat(r.advice()).isEmpty();
        assertThat(k[0].writes).noneMatch(w -> w.contains("/force=") || w.contains("/signal="));
    }
}
