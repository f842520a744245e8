package dev.klpfleet.agent.controlplane;

/** The control plane could not be reached, or refused a request; {@link #getMessage()} is one line. */
public final class ControlPlaneException extends Exception {
    private static final long serialVersionUID = 1L;

    /** What went wrong, so the caller can tell "try later" from "fix the configuration". */
    public enum Kind {
        /** No answer: connection refused, timeout, DNS, TLS. Worth retrying. */
        UNREACHABLE,
        /** 401/403: the credential or enrollment token is wrong, expired, or for another host. Retrying will not help. */
        DENIED,
        /** Another 4xx: the request was refused as it stands (the reason is the server's one line). */
        REJECTED,
        /** 5xx or an unreadable answer: the server is unwell. Worth retrying. */
        SERVER
    }

    private final Kind kind;
    private final int status;

    public ControlPlaneException(Kind kind, int status, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }
}
