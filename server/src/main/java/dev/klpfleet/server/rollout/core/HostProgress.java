package dev.klpfleet.server.rollout.core;

import java.time.Instant;

/**
 * One host's place in a rollout: its wave (-1 for no build), phase, since when, and the wire name
 * of the result that put it there ({@code load-failed}, {@code rmmod-failed}, {@code unknown}; null
 * for phases no result decides).
 *
 * @param attempt   which attempt at applying the host is on (1 from its dispatch, one more for each
 *                  retry of a stalled transition); 0 before it was dispatched (and in states stored
 *                  before attempts were counted, read as 1)
 * @param notBefore when a RETRYING host may start its attempt (the plan's spacing, with jitter); null otherwise
 */
public record HostProgress(String hostId, int wave, Phase phase, Instant since, String result, int attempt, Instant notBefore) {
    public HostProgress(String hostId, int wave, Phase phase, Instant since) {
        this(hostId, wave, phase, since, null, 0, null);
    }

    public HostProgress(String hostId, int wave, Phase phase, Instant since, String result) {
        this(hostId, wave, phase, since, result, 0, null);
    }

    /** The attempt the host is on; a dispatched host stored before attempts were counted is on its first. */
    public int currentAttempt() {
        return Math.max(1, attempt);
    }

    HostProgress to(Phase next, Instant at) {
        return new HostProgress(hostId, wave, next, at, null, attempt, null);
    }

    HostProgress to(Phase next, Instant at, String why) {
        return new HostProgress(hostId, wave, next, at, why, attempt, null);
    }

    HostProgress dispatched(Instant at) {
        return new HostProgress(hostId, wave, Phase.DISPATCHED, at, null, 1, null);
    }

    HostProgress retrying(Instant at, String why, Instant startNotBefore) {
        return new HostProgress(hostId, wave, Phase.RETRYING, at, why, currentAttempt() + 1, startNotBefore);
    }
}
