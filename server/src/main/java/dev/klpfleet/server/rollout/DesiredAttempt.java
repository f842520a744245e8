package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.HostProgress;
import java.time.Instant;

/**
 * The attempt a rollout tells one host to make, as its desired set carries it: the number (1 for the
 * first) and, for a retry of a stalled transition, the earliest instant the agent may start it.
 */
record DesiredAttempt(int number, Instant notBefore) {
    /** Every host's attempt until its transition stalls: kept once per rollout, not once per host. */
    static final DesiredAttempt FIRST = new DesiredAttempt(1, null);

    static DesiredAttempt of(int attempt, Instant notBefore) {
        return attempt <= 1 && notBefore == null ? FIRST : new DesiredAttempt(Math.max(1, attempt), notBefore);
    }

    static DesiredAttempt of(HostProgress p) {
        return of(p.currentAttempt(), p.notBefore());
    }

    boolean first() {
        return equals(FIRST);
    }
}
