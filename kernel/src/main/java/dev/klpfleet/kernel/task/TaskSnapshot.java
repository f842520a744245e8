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
 * @param state      the scheduler state letter, field 3 of {@code stat}: {@code R} running or runnable,
 *                   {@code S}/{@code D}/{@code I} asleep; null when unreadable
 */
public record TaskSnapshot(int pid, int tid, String comm, boolean kthread, PatchState patchState,
                           List<StackFrame> stack, String state) {
    public TaskSnapshot {
        stack = List.copyOf(stack);
    }

    public TaskSnapshot(int pid, int tid, String comm, boolean kthread, PatchState patchState, List<StackFrame> stack) {
        this(pid, tid, comm, kthread, patchState, stack, null);
    }
}
