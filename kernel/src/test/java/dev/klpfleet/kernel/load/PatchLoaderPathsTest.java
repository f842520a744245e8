package dev.klpfleet.kernel.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.kernel.preflight.Preflight;
import dev.klpfleet.kernel.task.Tasks;
import dev.klpfleet.kernel.transition.BlockerFinder;
import dev.klpfleet.kernel.transition.TransitionWatch;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every path of a load and an unload past insmod, on a hand-made 6.12-style sysfs tree driven by a
 * {@link ScriptedKernel} on fake time. A real kernel cannot be made to fail insmod, keep rmmod
 * "in use", refuse a write to {@code enabled} or stall a reversal on demand; testbench proves on
 * real kernels what a real kernel can be made to do (apply, stall and reverse).
 */
class PatchLoaderPathsTest {
    static final String RELEASE = "6.12.117+deb12-amd64";
    static final String NAME = "klp_single";
    static final Duration STALL = LoadOptions.DEFAULT_STALL_TIMEOUT;
    /** Jitter pinned at its top: nextLong(bound) answers bound - 1. */
    static final RandomGenerator TOP_JITTER = new RandomGenerator() {
        @Override
        public long nextLong() {
            return 0;
        }

        @Override
        public long nextLong(long bound) {
            return bound - 1;
        }
    };

    @TempDir
    Path dir;
    KernelRoot root;
    ScriptedKernel kernel;
    Path ko;
    ModuleInspection module;

    @BeforeEach
    void tree() throws Exception {
        root = Fixtures.copy("6.12", dir);
        Files.writeString(root.path("/proc/sys/kernel/osrelease"), RELEASE + "\n");
        // No other patch: the fixture's patch in transition would make preflight refuse.
        for (String other : List.of("klpf_target_patch", "klpf_cmdline")) {
            try (var all = Files.walk(root.path("/sys/kernel/livepatch/" + other))) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        kernel = new ScriptedKernel(root);
        ko = Path.of(PatchLoaderPathsTest.class.getResource("/modules/" + RELEASE + "/" + NAME + ".ko").toURI());
        module = ModuleInspector.inspect(ko);
    }

    PatchLoader loader() {
        return loader(kernel.sysfs());
    }

    PatchLoader loader(LivepatchSysfs sysfs) {
        TransitionWatch watch = new TransitionWatch(sysfs, new BlockerFinder(new Tasks(root)), kernel.clock(), kernel.pause());
        return new PatchLoader(root, sysfs, new Preflight(root), watch, kernel, kernel.wall(), kernel.clock(), kernel.pause(),
                TOP_JITTER, ScriptedKernel.NO_LOG);
    }

    /** A sysfs whose every write to {@code enabled} fails, as the kernel's can (EBUSY while another transition runs). */
    LivepatchSysfs refusingWrites() {
        return new LivepatchSysfs(root) {
            @Override
            public void setEnabled(String patch, boolean enabled) throws IOException {
                throw new IOException("Device or resource busy");
            }
        };
    }

    static LoadOptions waitOnStall() {
        return new LoadOptions(STALL, OnStall.WAIT, false);
    }

    @Test
    void a_failed_insmod_is_load_failed_and_leaves_nothing() throws Exception {
        kernel.insmodFails = true;

        LoadResult r = loader().load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.LOAD_FAILED);
        assertThat(r.message()).startsWith("insmod failed: ").contains("Invalid parameters");
        assertThat(kernel.calls).containsExactly("insmod");
        assertThat(kernel.moduleLoaded(NAME)).isFalse();
    }

    @Test
    void a_healthy_transition_is_applied_though_the_wall_clock_jumps_an_hour_during_it() throws Exception {
        kernel.transitions.add(Duration.ofSeconds(3));
        kernel.wallStep = Duration.ofHours(1);
        kernel.wallStepAt = Duration.ofSeconds(1);

        LoadResult r = loader().load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).as(r.message()).isEqualTo(Result.APPLIED);
        assertThat(kernel.calls).containsExactly("insmod");
        assertThat(r.timings().totalMs()).as("durations are monotonic too").isBetween(3000L, 3100L);
    }

    @Test
    void a_stalled_transition_is_reversed_and_rmmod_is_retried_until_the_module_is_gone() throws Exception {
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(Duration.ofMillis(400));
        kernel.rmmodBusy = 2; // the kernel frees the patch from a workqueue before it drops the module reference

        LoadResult r = loader().load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).as(r.message()).isEqualTo(Result.STALLED_REVERTED);
        assertThat(r.message()).contains("stalled for 30.0 s", "reversed and removed");
        assertThat(kernel.calls).containsExactly("insmod", "rmmod", "rmmod", "rmmod");
        assertThat(kernel.moduleLoaded(NAME)).isFalse();
        // Backoff 20 ms then 40 ms, each plus the injected jitter (pinned at half the backoff).
        assertThat(kernel.sleeps.subList(kernel.sleeps.size() - 2, kernel.sleeps.size()))
                .containsExactly(Duration.ofMillis(30), Duration.ofMillis(60));
        assertThat(r.timings().revertMs()).isGreaterThanOrEqualTo(400L);
    }

    @Test
    void an_rmmod_that_keeps_failing_after_a_reversal_is_rmmod_failed_within_its_bound() throws Exception {
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(Duration.ofMillis(400));
        kernel.rmmodBusy = Integer.MAX_VALUE;

        LoadResult r = loader().load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.RMMOD_FAILED);
        assertThat(r.message()).contains("transition reversed but rmmod", "in use");
        assertThat(kernel.moduleLoaded(NAME)).as("the inert module stays").isTrue();
        assertThat(kernel.calls.stream().filter("rmmod"::equals).count()).isGreaterThan(2);
        assertThat(r.timings().revertMs()).isBetween(PatchLoader.RMMOD_SETTLE.toMillis(), PatchLoader.RMMOD_SETTLE.toMillis() + 2000);
    }

    @Test
    void a_stall_whose_enabled_write_fails_is_disable_failed() throws Exception {
        kernel.transitions.add(ScriptedKernel.NEVER);

        LoadResult r = loader(refusingWrites()).load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.DISABLE_FAILED);
        assertThat(r.message()).contains("writing 0 to enabled failed", "Device or resource busy");
        assertThat(kernel.calls).containsExactly("insmod");
    }

    @Test
    void a_reversal_that_stalls_too_is_revert_stalled_and_the_module_stays() throws Exception {
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(ScriptedKernel.NEVER);

        LoadResult r = loader().load(ko, module, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.REVERT_STALLED);
        assertThat(r.message()).contains("so did its reversal", "a human must look");
        assertThat(kernel.calls).containsExactly("insmod");
        assertThat(kernel.moduleLoaded(NAME)).isTrue();
        assertThat(r.timings().revertMs()).isGreaterThanOrEqualTo(PatchLoader.REVERSE_TIMEOUT.toMillis());
    }

    @Test
    void a_stall_with_on_stall_wait_is_left_running() throws Exception {
        kernel.transitions.add(ScriptedKernel.NEVER);

        LoadResult r = loader().load(ko, module, waitOnStall());

        assertThat(r.result()).isEqualTo(Result.STALLED_WAITING);
        assertThat(kernel.enabledFile(NAME)).contains("1");
        assertThat(root.read("/sys/kernel/livepatch/" + NAME + "/transition")).contains("1");
    }

    @Test
    void an_unload_disables_waits_and_removes_the_module_retrying_rmmod() throws Exception {
        kernel.applied(NAME).rmmodBusy = 1;
        kernel.transitions.add(Duration.ofMillis(800));

        LoadResult r = loader().unload(NAME, LoadOptions.defaults());

        assertThat(r.result()).as(r.message()).isEqualTo(Result.UNLOADED);
        assertThat(kernel.calls).containsExactly("rmmod", "rmmod");
        assertThat(kernel.moduleLoaded(NAME)).isFalse();
    }

    @Test
    void an_unload_whose_rmmod_keeps_failing_is_rmmod_failed() throws Exception {
        kernel.applied(NAME).rmmodBusy = Integer.MAX_VALUE;

        LoadResult r = loader().unload(NAME, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.RMMOD_FAILED);
        assertThat(r.message()).contains("is disabled but rmmod failed");
    }

    @Test
    void an_unload_whose_disable_fails_is_disable_failed_and_nothing_else_runs() throws Exception {
        kernel.applied(NAME);

        LoadResult r = loader(refusingWrites()).unload(NAME, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.DISABLE_FAILED);
        assertThat(r.message()).contains("cannot disable", "Device or resource busy");
        assertThat(kernel.calls).isEmpty();
    }

    @Test
    void a_stalled_unload_is_re_enabled_and_the_patch_stays_applied() throws Exception {
        kernel.applied(NAME);
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(Duration.ofMillis(300));

        LoadResult r = loader().unload(NAME, LoadOptions.defaults());

        assertThat(r.result()).as(r.message()).isEqualTo(Result.STALLED_REVERTED);
        assertThat(r.message()).contains("re-enabled, the patch stays applied");
        assertThat(kernel.enabledFile(NAME)).contains("1");
        assertThat(kernel.calls).isEmpty();
        assertThat(kernel.moduleLoaded(NAME)).isTrue();
    }

    @Test
    void a_stalled_unload_whose_re_enable_stalls_too_is_revert_stalled() throws Exception {
        kernel.applied(NAME);
        kernel.transitions.add(ScriptedKernel.NEVER);
        kernel.transitions.add(ScriptedKernel.NEVER);

        LoadResult r = loader().unload(NAME, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.REVERT_STALLED);
        assertThat(r.message()).contains("so did re-enabling it", "a human must look");
    }

    @Test
    void a_stalled_unload_with_on_stall_wait_is_left_running() throws Exception {
        kernel.applied(NAME);
        kernel.transitions.add(ScriptedKernel.NEVER);

        LoadResult r = loader().unload(NAME, waitOnStall());

        assertThat(r.result()).isEqualTo(Result.STALLED_WAITING);
        assertThat(kernel.enabledFile(NAME)).contains("0");
    }
}
