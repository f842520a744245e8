package dev.klpfleet.server.api;

/** Who may call a route. */
public enum Access {
    /** Anyone; no token needed. */
    PUBLIC,
    /** An enrollment token. */
    ENROLLMENT,
    /** A host credential, acting only as the host named in the path. */
    HOST,
    /** A host credential or any operator token. */
    HOST_OR_VIEWER,
    VIEWER,
    OPERATOR,
    ADMIN
}
