package dev.klpfleet.server.analytics;

import dev.klpfleet.server.api.Access;
import dev.klpfleet.server.api.Bounds;
import dev.klpfleet.server.api.Call;
import dev.klpfleet.server.api.Reply;
import dev.klpfleet.server.api.Route;
import java.util.List;
import java.util.Set;

/** The {@code /api/v1/analytics/*} routes: viewers read them; query {@code patch}, {@code kernel} (and {@code limit} for stalls). */
public final class AnalyticsRoutes {
    private static final Set<String> FILTERS = Set.of("patch", "kernel");
    private static final Set<String> STALL_QUERY = Set.of("patch", "kernel", "limit");

    private AnalyticsRoutes() {}

    public static List<Route> routes(Analytics analytics) {
        return List.of(
                new Route("GET", "/api/v1/analytics/stalls", Access.VIEWER, 0,
                        "Top transition-stall causes: blocking functions and task names ranked by hosts and loads stalled, per kernel "
                                + "release and patch (query: patch, kernel, limit 1.." + Analytics.MAX_LIMIT + ", default " + Analytics.DEFAULT_LIMIT + ")",
                        c -> Reply.ok(analytics.stalls(filter(c, STALL_QUERY), limit(c)))),
                new Route("GET", "/api/v1/analytics/impact", Access.VIEWER, 0,
                        "Apply-impact p50/p95/p99 (ksoftirqd run delay, TCP retransmits, insmod CPU time, transition time) per kernel "
                                + "release and patch (query: patch, kernel)",
                        c -> Reply.ok(analytics.impact(filter(c, FILTERS)))),
                new Route("GET", "/api/v1/analytics/failures", Access.VIEWER, 0,
                        "Apply outcomes with stall and failure rates per kernel release (query: patch, kernel)",
                        c -> Reply.ok(analytics.failures(filter(c, FILTERS)))));
    }

    /** The call's filter; an unknown or malformed query parameter is a 400, never ignored. */
    public static Filter filter(Call c, Set<String> allowed) {
        for (String k : c.query().keySet()) {
            if (!allowed.contains(k)) {
                throw new Call.BadRequest("unknown query parameter " + (k.length() <= 64 ? k : k.substring(0, 64) + "…") + " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")");
            }
        }
        String patch = c.query().get("patch");
        String kernel = c.query().get("kernel");
        String problem = Bounds.first(patch == null ? null : Bounds.name("patch", patch), kernel == null ? null : Bounds.kernelRelease("kernel", kernel));
        if (problem != null) {
            throw new Call.BadRequest(problem);
        }
        return new Filter(patch, kernel);
    }

    private static int limit(Call c) {
        String v = c.query().get("limit");
        if (v == null) {
            return Analytics.DEFAULT_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= Analytics.MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new Call.BadRequest("limit must be a whole number within 1.." + Analytics.MAX_LIMIT);
    }
}
