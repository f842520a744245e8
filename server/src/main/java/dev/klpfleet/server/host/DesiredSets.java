package dev.klpfleet.server.host;

/** Answers what each host should have loaded; implemented from rollouts and artifacts. */
public interface DesiredSets {
    /** The current desired set for {@code hostId} (empty when no rollout wants anything there). Must be cheap: the check-in hot path calls it. */
    Desired forHost(String hostId);

    /**
     * Recomputes {@code hostId}'s desired set alone for the kernel release it now runs, so its
     * next answer uses that kernel's builds; {@code generation} is the desired-state generation
     * the change was committed as. Cheap enough for the check-in path: no whole-fleet work.
     */
    void kernelChanged(String hostId, String kernelRelease, long generation);
}
