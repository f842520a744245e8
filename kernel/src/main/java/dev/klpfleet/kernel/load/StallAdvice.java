package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.module.KernelVersion;
import dev.klpfleet.kernel.transition.Blocker;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the running kernel's version says about a stall's blockers. Before 6.4 a kernel thread that
 * never sleeps (a busy loop calling {@code cond_resched()}, e.g. a vhost worker under load) is switched
 * to the new patch state only when it sleeps: {@code cond_resched()} learned to switch it in 6.4
 * ("livepatch,sched: Add livepatch task switching to cond_resched()", kernel/sched/core.c
 * {@code klp_sched_try_switch}). Such a blocker is named with that fix, since retrying alone rarely helps.
 */
public final class StallAdvice {
    /** The prefix of an advice line that goes into the operation's message too. */
    static final String CPU_BOUND = "CPU-bound kernel thread ";

    private StallAdvice() {}

    /** Advice lines for the blockers of a stall on {@code release}; empty when there is none. */
    public static List<String> forBlockers(String release, List<Blocker> blockers) {
        Optional<KernelVersion> v = KernelVersion.ofRelease(release == null ? "" : release);
        if (v.isEmpty() || v.get().atLeast(6, 4)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Blocker b : blockers) {
            if (b.kthread() && b.running()) {
                out.add(CPU_BOUND + b.comm() + " pid " + b.pid() + " was running, not asleep (state R in /proc/" + b.pid()
                        + "/stat): before 6.4 cond_resched() does not switch a task's patch state, so it switches only when it sleeps;"
                        + " the kernel fix is \"livepatch,sched: Add livepatch task switching to cond_resched()\" (upstream in 6.4),"
                        + " this kernel is " + v.get());
            }
        }
        return out;
    }

    /** Whether the kernel of {@code release} signals blocked tasks by itself (5.1 on); unknown releases are assumed recent. */
    public static boolean kernelSignalsItself(String release) {
        return KernelVersion.ofRelease(release == null ? "" : release).map(v -> v.atLeast(5, 1)).orElse(true);
    }

    static boolean isAdvice(String line) {
        return line.startsWith(CPU_BOUND);
    }
}
