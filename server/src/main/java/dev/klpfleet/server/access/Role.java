package dev.klpfleet.server.access;

/** What an operator token may do; each role includes the ones before it. */
public enum Role {
    /** Reads inventory, patches, rollouts. */
    VIEWER,
    /** Also uploads patches and creates and steers rollouts. */
    OPERATOR,
    /** Also issues tokens and enrollment tokens and reads the audit log. */
    ADMIN;

    public boolean includes(Role other) {
        return ordinal() >= other.ordinal();
    }
}
