package dev.klpfleet.kernel.task;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TasksTest {
    private final Tasks tasks = new Tasks(Fixtures.kernel("6.12"));

    @Test
    void every_thread_is_read_with_its_comm_state_and_kthread_flag() {
        assertThat(tasks.all(false)).filteredOn(t -> java.util.Set.of(1, 57, 100, 101).contains(t.tid()))
                .extracting(t -> t.tid() + " " + t.comm() + " kthread=" + t.kthread() + " " + t.patchState())
                .containsExactly(
                        "1 init kthread=false patched",
                        "57 klpf_sleeper kthread=true unpatched",
                        "100 java kthread=false patched",
                        "101 C1 CompilerThre kthread=false unpatched");
    }

    @Test
    void threads_not_yet_in_the_target_state_come_with_their_stacks() {
        assertThat(tasks.notYetIn(PatchState.PATCHED))
                .extracting(TaskSnapshot::tid).contains(57, 101);
        TaskSnapshot sleeper = tasks.notYetIn(PatchState.PATCHED).get(0);
        assertThat(sleeper.stack().get(0))
                .isEqualTo(new StackFrame("klpf_target_wait", Optional.of("klpf_target"),
                        "[<0>] klpf_target_wait+0x5d/0xa0 [klpf_target]"));
        assertThat(sleeper.stack().get(2).object()).isEqualTo("vmlinux");
    }

    @Test
    void stack_lines_with_real_addresses_from_old_kernels_parse_too() {
        assertThat(StackFrame.parse("[<ffffffffa0123456>] schedule+0x29/0x70"))
                .map(StackFrame::function).contains("schedule");
        assertThat(StackFrame.parse("garbage")).isEmpty();
    }

    @Test
    void the_kthread_flag_is_bit_0x200000_of_stat_field_9_even_with_spaces_in_comm() {
        assertThat(Tasks.isKthread("7 (kworker/0:1 x) I 2 0 0 0 -1 69238880 0 0")).isTrue();
        assertThat(Tasks.isKthread("7 (a) b) S 1 0 0 0 -1 4194560 0 0")).isFalse();
        assertThat(Tasks.isKthread("7 (short) S 1")).isFalse();
    }
}
