package dev.klpfleet.server.rollout.core;

/** A rollout's life: RUNNING until it completes or an operator or a gate stops it. */
public enum Status {
    RUNNING, PAUSED, COMPLETED, ABORTED, ROLLED_BACK;

    /** True when the engine has nothing more to decide except absorbing the results of hosts still in flight. */
    public boolean finished() {
        return this == COMPLETED || this == ABORTED || this == ROLLED_BACK;
    }
}
