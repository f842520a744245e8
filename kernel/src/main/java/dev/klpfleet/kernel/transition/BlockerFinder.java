package dev.klpfleet.kernel.transition;

import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.task.PatchState;
import dev.klpfleet.kernel.task.StackFrame;
import dev.klpfleet.kernel.task.TaskSnapshot;
import dev.klpfleet.kernel.task.Tasks;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Finds the tasks holding up a patch's transition and says which patched functions pin each one. */
public final class BlockerFinder {
    private final Tasks tasks;

    public BlockerFinder(Tasks tasks) {
        this.tasks = tasks;
    }

    /**
     * The blockers of {@code patch}'s transition right now; empty when it is not in transition.
     * The target state follows {@code enabled}: 1 patches, 0 (a disable or a reversal) unpatches.
     */
    public List<Blocker> blockers(KlpPatch patch) {
        if (!patch.transition()) {
            return List.of();
        }
        PatchState target = patch.enabled() ? PatchState.PATCHED : PatchState.UNPATCHED;
        Set<String> replaced = new HashSet<>();
        for (KlpPatch.ObjectFunc f : patch.funcs()) {
            replaced.add(key(f.object(), f.func().name()));
        }
        // Patching is held up by old functions on a stack; unpatching by the new ones, which live
        // in the patch module itself (klp_check_stack_func, kernel/livepatch/transition.c).
        String patchModule = patch.name().replace('-', '_');
        boolean unpatching = target == PatchState.UNPATCHED;
        return tasks.notYetIn(target).stream().map(t -> blocker(t, replaced, unpatching, patchModule)).toList();
    }

    private static Blocker blocker(TaskSnapshot t, Set<String> replaced, boolean unpatching, String patchModule) {
        List<String> functions = t.stack().stream()
                .filter(fr -> replaced.contains(key(fr.object(), fr.function()))
                        || (unpatching && fr.module().map(m -> m.replace('-', '_').equals(patchModule)).orElse(false)))
                .map(fr -> fr.function() + " [" + fr.object() + "]")
                .distinct()
                .toList();
        return new Blocker(t.pid(), t.tid(), t.comm(), t.kthread(), t.patchState(),
                t.stack().stream().map(StackFrame::raw).toList(), functions, t.state());
    }

    // Object names in sysfs keep the patch author's spelling while stack frames print the
    // module's real name; the kernel treats '-' and '_' alike in module names.
    private static String key(String object, String function) {
        return object.replace('-', '_') + ":" + function;
    }
}
