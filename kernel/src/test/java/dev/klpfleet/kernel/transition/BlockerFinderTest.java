package dev.klpfleet.kernel.transition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.task.PatchState;
import dev.klpfleet.kernel.task.Tasks;
import org.junit.jupiter.api.Test;

class BlockerFinderTest {
    private final KernelRoot root = Fixtures.kernel("6.12");
    private final BlockerFinder finder = new BlockerFinder(new Tasks(root));
    private final LivepatchSysfs sysfs = new LivepatchSysfs(root);

    @Test
    void a_kernel_thread_sleeping_in_a_replaced_function_is_named_with_that_function() {
        var blockers = finder.blockers(sysfs.patch("klpf_target_patch").orElseThrow());

        assertThat(blockers).hasSize(2);
        Blocker sleeper = blockers.get(0);
        assertThat(sleeper.comm()).isEqualTo("klpf_sleeper");
        assertThat(sleeper.kthread()).isTrue();
        assertThat(sleeper.patchState()).isEqualTo(PatchState.UNPATCHED);
        assertThat(sleeper.functions()).containsExactly("klpf_target_wait [klpf_target]");
        assertThat(sleeper.stack()).hasSize(5).first().asString().contains("klpf_target_wait");
        // A thread not yet switched whose stack has no replaced function is still reported:
        // the kernel may simply not have reached it yet.
        assertThat(blockers.get(1).functions()).isEmpty();
    }

    @Test
    void a_patch_not_in_transition_has_no_blockers() {
        assertThat(finder.blockers(sysfs.patch("klpf_cmdline").orElseThrow())).isEmpty();
    }
}
