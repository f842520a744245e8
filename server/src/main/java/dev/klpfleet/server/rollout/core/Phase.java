package dev.klpfleet.server.rollout.core;

/** Where one host stands in one rollout. */
public enum Phase {
    /** No artifact exists for the host's kernel release: reported, never dispatched. */
    NO_BUILD,
    /** Waiting for its wave or for a free slot under the concurrency cap. */
    PENDING,
    /** Told to apply (its desired set holds the patch); no result yet. Counts against the cap. */
    DISPATCHED,
    APPLIED,
    /** The agent reported refused or load-failed; nothing is loaded. */
    FAILED,
    /** The agent reported stalled-reverted or stalled-waiting. */
    STALLED,
    /** The desired set dropped the patch; waiting for the host to report it unloaded. */
    ROLLING_BACK,
    ROLLED_BACK;

    /** True once the host reported an apply outcome. */
    public boolean finishedApply() {
        return this == APPLIED || this == FAILED || this == STALLED;
    }

    /** True while the host is meant to have the patch loaded. */
    public boolean wantsPatch() {
        return this == DISPATCHED || this == APPLIED || this == STALLED;
    }
}
