package dev.klpfleet.kernel.task;

import java.util.List;

/**
 * One thread as {@code /proc/<pid>/task/<tid>} shows it at one instant.
 *
 * @param pid        thread-group id
 * @param tid        thread id
 * @param comm       {@code comm}, e.g. {@code klpf_sleeper} or {@code ksoftirqd/0}
 * @param kthread    whether it is a kernel thread (PF_KTHREAD in {@code stat} flags)
 * @param patchState {@code patch_state}
 * @param stack      {@code stack}; empty when unreadable (not root, or the thread is running)
 */
public record TaskSnapshot(int pid, int tid, String comm, boolean kthread, PatchState patchState,
                           List<StackFrame> stack) {
    public TaskSnapshot {
        stack = List.copyOf(stack);
    }
}
