package dev.klpfleet.server.dashboard;

import java.time.Duration;

/**
 * Where the dashboard listens (its own port, apart from the API) and how long a sign-in lasts.
 *
 * @param sessionTtl a session expires this long after sign-in, whatever its use
 */
public record DashboardOptions(String host, int port, Duration sessionTtl) {
    public static final Duration DEFAULT_SESSION_TTL = Duration.ofHours(8);

    public static DashboardOptions on(String host, int port) {
        return new DashboardOptions(host, port, DEFAULT_SESSION_TTL);
    }
}
