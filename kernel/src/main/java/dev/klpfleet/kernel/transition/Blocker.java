package dev.klpfleet.kernel.transition;

import dev.klpfleet.kernel.task.PatchState;
import java.util.List;

/**
 * A task that holds up a transition: it has not switched to the target state because the kernel
 * found, on its stack, a function the transition changes (or could not unwind it).
 *
 * @param pid        thread-group id
 * @param tid        thread id
 * @param comm       command name
 * @param kthread    whether it is a kernel thread; kernel threads get no fake signal and must
 *                   reach a safe point by themselves
 * @param patchState its {@code /proc/<pid>/patch_state}
 * @param stack      its {@code /proc/<pid>/stack}, one frame a line
 * @param functions  the frames of that stack that are functions this patch replaces, as
 *                   {@code func [object]}: why the kernel cannot switch it
 * @param state      its scheduler state letter ({@code /proc/<pid>/task/<tid>/stat} field 3): {@code R} is
 *                   running, i.e. CPU-bound rather than asleep in a patched function; null when unreadable
 */
public record Blocker(int pid, int tid, String comm, boolean kthread, PatchState patchState,
                      List<String> stack, List<String> functions, String state) {
    public Blocker {
        stack = List.copyOf(stack);
        functions = List.copyOf(functions);
    }

    public Blocker(int pid, int tid, String comm, boolean kthread, PatchState patchState, List<String> stack, List<String> functions) {
        this(pid, tid, comm, kthread, patchState, stack, functions, null);
    }

    /** Whether the task was running (on a CPU or runnable) when sampled, not sleeping. */
    public boolean running() {
        return "R".equals(state);
    }
}
