package dev.klpfleet.server.api;

import java.time.Duration;

/**
 * What one client, and all clients together, may hold of the HTTP server: connections per client
 * address and overall, how long a request body may take to arrive, and how long an idle connection stays.
 *
 * @param maxConnections           connections served at once; more wait in the accept queue
 * @param maxConnectionsPerAddress connections one client address may hold; more are closed at once
 * @param bodyDeadline             how long an ordinary request's body may take to arrive in full before a 408
 * @param uploadDeadline           the same for an artifact upload (authenticated as an operator before it is read)
 * @param idleTimeout              how long a connection may send nothing (slow headers included) before it is closed
 */
public record HttpLimits(int maxConnections, int maxConnectionsPerAddress, Duration bodyDeadline, Duration uploadDeadline,
                         Duration idleTimeout) {
    /** A check-in or command body is a few kilobytes: a sender slower than this is holding the server, not using it. */
    public static final Duration BODY_DEADLINE = Duration.ofSeconds(5);
    /** An 85 MiB upload body (64 MiB module in base64) over a 10 Mbit/s link. */
    public static final Duration UPLOAD_DEADLINE = Duration.ofMinutes(2);
    /** Idle connections are closed after this: agents check in every few seconds with keep-alive. */
    public static final Duration IDLE_TIMEOUT = Duration.ofSeconds(30);

    public static final HttpLimits DEFAULT = new HttpLimits(4096, 256, BODY_DEADLINE, UPLOAD_DEADLINE, IDLE_TIMEOUT);

    public HttpLimits {
        if (maxConnections < 1 || maxConnectionsPerAddress < 1 || !positive(bodyDeadline) || !positive(uploadDeadline)
                || !positive(idleTimeout)) {
            throw new IllegalArgumentException("HTTP limits must be positive: " + maxConnections + ", " + maxConnectionsPerAddress
                    + ", " + bodyDeadline + ", " + uploadDeadline + ", " + idleTimeout);
        }
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }

    public HttpLimits withBodyDeadline(Duration d) {
        return new HttpLimits(maxConnections, maxConnectionsPerAddress, d, uploadDeadline, idleTimeout);
    }

    public HttpLimits withConnections(int overall, int perAddress) {
        return new HttpLimits(overall, perAddress, bodyDeadline, uploadDeadline, idleTimeout);
    }
}
