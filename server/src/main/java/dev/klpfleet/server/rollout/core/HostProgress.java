package dev.klpfleet.server.rollout.core;

import java.time.Instant;

/** One host's place in a rollout: its wave (-1 for no build), phase, and since when. */
public record HostProgress(String hostId, int wave, Phase phase, Instant since) {
    HostProgress to(Phase next, Instant at) {
        return new HostProgress(hostId, wave, next, at);
    }
}
