package dev.klpfleet.kernel.transition;

import dev.klpfleet.kernel.task.StackFrame;
import dev.klpfleet.kernel.task.TaskSnapshot;
import dev.klpfleet.kernel.task.Tasks;
import java.util.List;
import java.util.Optional;

/**
 * Looks again at the tasks that blocked a stalled transition, after it was reversed: does each still
 * sleep in the patched function it was found in ({@code /proc/PID/task/TID/stack}), or has it left it
 * (or exited)? A blocker that left makes the stall transient: another attempt now is likely to go
 * through. One stack read per blocker (a kernel unwind), so callers bound how often they ask.
 */
public final class BlockerRecheck {
    private final Tasks tasks;

    public BlockerRecheck(Tasks tasks) {
        this.tasks = tasks;
    }

    /** Where a blocker of the last attempt is now. */
    public enum Where {
        /** Still has one of the functions it blocked in on its stack. */
        STILL_IN,
        /** Alive, with none of those functions on its stack. */
        LEFT,
        /** Exited (or its tid now belongs to a task of another name). */
        GONE,
        /** Alive, but its stack is unreadable (not root, or running): cannot tell. */
        UNKNOWN
    }

    /**
     * @param stillIn the functions ({@code func [object]}) of the last attempt still on its stack
     */
    public record Seen(int pid, int tid, String comm, Where where, List<String> stillIn) {
        public Seen {
            stillIn = List.copyOf(stillIn);
        }
    }

    /** Each blocker of {@code last} that blocked in a patched function, as it is now. */
    public List<Seen> recheck(List<Blocker> last) {
        return last.stream().filter(b -> !b.functions().isEmpty()).map(this::seen).toList();
    }

    /** True when every blocker that blocked in a patched function is known to have left it (or exited). */
    public static boolean allLeft(List<Seen> seen) {
        return !seen.isEmpty() && seen.stream().allMatch(s -> s.where() == Where.LEFT || s.where() == Where.GONE);
    }

    private Seen seen(Blocker b) {
        Optional<TaskSnapshot> now = tasks.thread(b.pid(), b.tid(), true);
        if (now.isEmpty() || !now.get().comm().equals(b.comm())) {
            return new Seen(b.pid(), b.tid(), b.comm(), Where.GONE, List.of());
        }
        if (now.get().stack().isEmpty()) {
            return new Seen(b.pid(), b.tid(), b.comm(), Where.UNKNOWN, List.of());
        }
        List<String> still = now.get().stack().stream().map(BlockerRecheck::name).filter(b.functions()::contains).distinct().toList();
        return new Seen(b.pid(), b.tid(), b.comm(), still.isEmpty() ? Where.LEFT : Where.STILL_IN, still);
    }

    /** A frame as BlockerFinder names a patched one: {@code func [object]}. */
    private static String name(StackFrame f) {
        return f.function() + " [" + f.object() + "]";
    }
}
