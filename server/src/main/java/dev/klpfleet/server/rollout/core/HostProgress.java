package dev.klpfleet.server.rollout.core;

import java.time.Instant;

/**
 * One host's place in a rollout: its wave (-1 for no build), phase, since when, and the wire name
 * of the result that put it there ({@code load-failed}, {@code rmmod-failed}, {@code unknown}; null
 * for phases no result decides).
 */
public record HostProgress(String hostId, int wave, Phase phase, Instant since, String result) {
    public HostProgress(String hostId, int wave, Phase phase, Instant since) {
        this(hostId, wave, phase, since, null);
    }

    HostProgress to(Phase next, Instant at) {
        return new HostProgress(hostId, wave, next, at, null);
    }

    HostProgress to(Phase next, Instant at, String why) {
        return new HostProgress(hostId, wave, next, at, why);
    }
}
