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
    /** The agent reported refused, load-failed, disable-failed or rmmod-failed. */
    FAILED,
    /** The agent reported stalled-reverted, stalled-waiting or revert-stalled. */
    STALLED,
    /**
     * The host's transition stalled and was reversed ({@code stalled-reverted}) and its plan gives it
     * another attempt ({@link HostProgress#attempt}, not before {@link HostProgress#notBefore}): told
     * to apply again, it counts against the cap as DISPATCHED does, and not as stalled for the gates.
     */
    RETRYING,
    /** The agent reported an apply result this server does not know: counted as a failure by the gates. */
    UNKNOWN,
    /** The desired set dropped the patch; waiting for the host to report it unloaded. */
    ROLLING_BACK,
    ROLLED_BACK,
    /**
     * The host reported that unloading failed (its {@link HostProgress#result} says how): a human
     * must look. Left when the host later reports unloaded or checks in without the patch.
     */
    ROLLBACK_FAILED,
    /**
     * The host came back from a boot that ended while, or soon after, it applied the patch: its agent
     * reported {@code crash-suspected} (from DISPATCHED or APPLIED) and holds the patch back until an
     * operator clears it. Counted as a failure by the gates; the host's desired set drops the patch.
     */
    CRASH_SUSPECTED;

    /** True once the host reported an apply outcome. */
    public boolean finishedApply() {
        return this == APPLIED || this == FAILED || this == STALLED || this == UNKNOWN || this == CRASH_SUSPECTED;
    }

    /** True for the finished phases the failure-rate gate counts: failed, unknown, crash-suspected. */
    public boolean failedApply() {
        return this == FAILED || this == UNKNOWN || this == CRASH_SUSPECTED;
    }

    /** True while the host is meant to have the patch loaded. */
    public boolean wantsPatch() {
        return this == DISPATCHED || this == APPLIED || this == STALLED || this == RETRYING;
    }

    /** True while the host is applying (a first attempt or a retry): it holds one of the plan's concurrency slots. */
    public boolean applying() {
        return this == DISPATCHED || this == RETRYING;
    }

    /** True while the host's own work for this rollout is not over: applying, or unloading. */
    public boolean inFlight() {
        return this == DISPATCHED || this == RETRYING || this == ROLLING_BACK || this == ROLLBACK_FAILED;
    }
}
