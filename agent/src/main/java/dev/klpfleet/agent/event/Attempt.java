package dev.klpfleet.agent.event;

import dev.klpfleet.kernel.transition.BlockerRecheck;
import java.time.Instant;
import java.util.List;

/**
 * Which attempt of the rollout's plan an apply event reports, as the agent adds it to the evidence
 * ({@code attempt}): the server reads {@code attempt.number} to tell this attempt's result from the
 * stall of the one before.
 *
 * @param number       the attempt the desired set named (1 when it named none)
 * @param notBefore    when the plan let it start; null for at once
 * @param startedEarly whether it started before {@code notBefore} because the last attempt's blockers left
 * @param lastBlockers where the tasks that blocked the previous attempt were when this one was decided:
 *                     still in a patched function (a persistent stall), left it or gone (transient)
 */
public record Attempt(int number, Instant notBefore, boolean startedEarly, List<BlockerRecheck.Seen> lastBlockers) {
    public Attempt {
        lastBlockers = lastBlockers == null ? List.of() : List.copyOf(lastBlockers);
    }

    public static Attempt first() {
        return new Attempt(1, null, false, List.of());
    }
}
