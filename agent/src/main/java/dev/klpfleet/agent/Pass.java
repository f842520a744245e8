package dev.klpfleet.agent;

import dev.klpfleet.agent.reconcile.Requeue;
import java.time.Duration;
import java.util.List;

/**
 * One reconcile pass: what it did and when the next one runs.
 *
 * @param outcome  how it ended (decides the requeue)
 * @param actions  what it did, in order (health reports first, then at most one step)
 * @param detail   one line: why it stepped, why it is idle or waiting, or what failed
 * @param error    for {@link Requeue.Outcome#FAILED}: the kind of failure ({@code unreachable}, {@code denied},
 *                 {@code rejected}, {@code throttled}, {@code server}, {@code unexpected}, {@code not-enrolled},
 *                 {@code io}); else null
 * @param next     how long until the next pass
 * @param droppedEvents events the server refused for good and the agent dropped, in all (the state's counter)
 */
public record Pass(Requeue.Outcome outcome, List<Action> actions, String detail, String error, Duration next, long droppedEvents) {
    public Pass {
        actions = List.copyOf(actions);
    }
}
