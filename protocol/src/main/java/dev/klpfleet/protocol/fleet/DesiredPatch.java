package dev.klpfleet.protocol.fleet;

import java.time.Instant;

/**
 * A patch the host should have loaded: the artifact built for its kernel release, fetched by {@code sha256}.
 *
 * @param attempt   which attempt of the rollout's plan this is (1 for the first; a host whose transition
 *                  stalled and was reversed gets a higher one when its plan allows retries); null from a
 *                  server that does not count attempts, read as 1. The agent stamps it on its apply event.
 * @param notBefore the earliest instant the agent may start this attempt (the plan's spacing); null for
 *                  at once. An agent that sees the last attempt's blockers leave the patched functions
 *                  may start earlier.
 */
public record DesiredPatch(String patch, String version, String sha256, String module, String rolloutId, Integer attempt,
                           Instant notBefore) {
    public DesiredPatch(String patch, String version, String sha256, String module, String rolloutId) {
        this(patch, version, sha256, module, rolloutId, null, null);
    }

    /** The attempt, 1 when the server named none. */
    public int attemptNumber() {
        return attempt == null ? 1 : attempt;
    }
}
