package dev.klpfleet.kernel.transition;

import java.time.Duration;
import java.util.List;

/** How waiting for one transition ended. */
public sealed interface TransitionOutcome {

    /** Time from the start of the watch to when the watch saw the end. */
    Duration elapsed();

    /** {@code transition} read 0: every task runs the target code. */
    record Completed(Duration elapsed) implements TransitionOutcome {}

    /**
     * The patch directory disappeared: a disable completed and the kernel freed the patch, or an
     * atomic replace removed it. For a disable this is completion.
     */
    record Vanished(Duration elapsed) implements TransitionOutcome {}

    /**
     * Still in transition when the stall timeout ran out.
     *
     * @param blockers the tasks holding it up at the last look, with their stacks
     */
    record Stalled(Duration elapsed, List<Blocker> blockers) implements TransitionOutcome {
        public Stalled {
            blockers = List.copyOf(blockers);
        }
    }
}
