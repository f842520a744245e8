package dev.klpfleet.cli.agent;

import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Pass;
import java.util.List;

/**
 * What {@code klpfleet agent --once} did; its {@code --json} document (docs/CLI.md).
 *
 * @param hostId   this host's id
 * @param enrolled true when this run enrolled the host
 * @param steps    every action of every pass, in order
 * @param passes   how many passes ran
 * @param outcome  how the last pass ended: {@code idle} (nothing left to do), {@code waiting}, {@code stepped}
 *                 (the pass bound was reached) or {@code failed}
 * @param detail   the last pass's one line
 * @param error    the last pass's failure kind, else null
 * @param droppedEvents events the server refused for good (400/413/422) that the agent dropped, since its data directory was created
 */
record OnceReport(String hostId, boolean enrolled, List<Action> steps, int passes, String outcome, String detail, String error,
                  long droppedEvents) {

    static OnceReport of(String hostId, boolean enrolled, List<Pass> passes) {
        Pass last = passes.get(passes.size() - 1);
        return new OnceReport(hostId, enrolled, passes.stream().flatMap(p -> p.actions().stream()).toList(), passes.size(),
                last.outcome().name().toLowerCase(java.util.Locale.ROOT), last.detail(), last.error(), last.droppedEvents());
    }
}
