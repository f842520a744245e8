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
 */
public record Blocker(int pid, int tid, String comm, boolean kthread, PatchState patchState,
                      List<String> stack, List<String> functions) {
    public Blocker {
        stack = List.copyOf(stack);
        functions = List.copyOf(functions);
    }
}
