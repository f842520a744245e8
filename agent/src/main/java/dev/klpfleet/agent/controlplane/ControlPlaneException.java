package dev.klpfleet.agent.controlplane;

import java.time.Duration;
import java.util.Optional;

/** The control plane could not be reached, or refused a request; {@link #getMessage()} is one line. */
public final class ControlPlaneException extends Exception {
    private static final long serialVersionUID = 1L;

    /**
     * What went wrong, so the caller can tell "try later" from "this request can never succeed".
     * Only {@link #REJECTED} is terminal for the request: every other kind keeps an event in the
     * outbox to be sent again after a backoff (docs/CLI.md, "Retries").
     */
    public enum Kind {
        /** No answer: connection refused or reset, timeout, DNS, TLS. Worth retrying. */
        UNREACHABLE,
        /** 401/403: the credential or enrollment token is wrong, expired, or for another host. Retried, but a person must fix it. */
        DENIED,
        /**
         * 400, 413 or 422: the server read the request and refused it as it stands (malformed, too
         * large, unprocessable); sending the same bytes again can only get the same answer.
         */
        REJECTED,
        /** 408 or 429: a server or proxy asks us to come back later (after {@code Retry-After} when it says). */
        THROTTLED,
        /** 5xx or an unreadable answer: the server is unwell. Worth retrying. */
        SERVER,
        /** Any other status (404 from a misrouted proxy, 405, 3xx …): not understood, so not given up on; retried and shown. */
        UNEXPECTED;

        /** Whether the same request may succeed later. */
        public boolean retryable() {
            return switch (this) {
                case REJECTED -> false;
                case UNREACHABLE, DENIED, THROTTLED, SERVER, UNEXPECTED -> true;
            };
        }

        /** The kind of an HTTP status that is not 2xx (nor 304 / 409, which callers handle). */
        public static Kind of(int status) {
            if (status == 401 || status == 403) {
                return DENIED;
            }
            if (status == 400 || status == 413 || status == 422) {
                return REJECTED;
            }
            if (status == 408 || status == 429) {
                return THROTTLED;
            }
            return status / 100 == 5 ? SERVER : UNEXPECTED;
        }
    }

    private final Kind kind;
    private final int status;
    private final transient Duration retryAfter;

    public ControlPlaneException(Kind kind, int status, String message, Throwable cause) {
        this(kind, status, message, cause, null);
    }

    /** @param retryAfter what the server's {@code Retry-After} asked for (already bounded), or null */
    public ControlPlaneException(Kind kind, int status, String message, Throwable cause, Duration retryAfter) {
        super(message, cause);
        this.kind = kind;
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /** The HTTP status, or 0 when there was no answer. */
    public int status() {
        return status;
    }

    /** How long the server asked us to wait ({@code Retry-After}), bounded by {@link RetryAfter#MAX}; empty if it did not say. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }
}
