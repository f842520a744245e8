package dev.klpfleet.server.host;

/** Answers what each host should have loaded; implemented from rollouts and artifacts. */
public interface DesiredSets {
    /** The current desired set for {@code hostId} (empty when no rollout wants anything there). Must be cheap: the check-in hot path calls it. */
    Desired forHost(String hostId);

    /** Drops cached answers after a local change, so the next call sees it. */
    void invalidate();
}
