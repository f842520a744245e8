package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.transition.TransitionOutcome;
import java.time.Instant;
import java.util.List;

/**
 * The kernel-side record of one operation: the kernel log lines it caused, the kernel's own
 * timestamps of its transition, and its impact on the host. Opened before the first write to the
 * kernel, closed after the last.
 */
public interface OperationLog extends AutoCloseable {

    /** Opens the log of one operation; {@code what} is written to the kernel log as its start marker. */
    interface Factory {
        OperationLog open(String what);
    }

    /**
     * @param transitionMs   the kernel's own duration of the transition (log timestamps), else null
     * @param detectionLagMs how long after the kernel logged completion we saw it, else null
     */
    record TransitionTimes(Long transitionMs, Long detectionLagMs) {}

    /** The kernel's timing of {@code patch}'s transition that a watch started at {@code watchStart} saw end as {@code outcome}. */
    TransitionTimes transitionTimes(String patch, Instant watchStart, TransitionOutcome outcome);

    /** The kernel log lines written since this log was opened, as {@code [seconds.micros] message}. */
    List<String> lines();

    /** Marks the end of the first phase: insmod returned, or the write to {@code enabled} was done. Later calls do nothing. */
    void phaseDone();

    /** The impact measured over the operation so far. */
    Impact impact();

    @Override
    void close();
}
