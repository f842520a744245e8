package dev.klpfleet.server.cve;

import dev.klpfleet.protocol.artifact.CveId;
import dev.klpfleet.server.api.Access;
import dev.klpfleet.server.api.Bounds;
import dev.klpfleet.server.api.Call;
import dev.klpfleet.server.api.Reply;
import dev.klpfleet.server.api.Route;
import java.nio.charset.StandardCharsets;
import java.time.InstantSource;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The CVE exposure routes and each host's OpenVEX document; viewers read them. */
public final class CveRoutes {
    /** Header of the next page's cursor, as on every paged list. */
    static final String NEXT_CURSOR = "X-Next-Cursor";
    public static final int MAX_LIMIT = 500;

    private CveRoutes() {}

    public static List<Route> routes(Exposure exposure, InstantSource clock) {
        return List.of(
                new Route("GET", "/api/v1/cves", Access.VIEWER, 0,
                        "Every CVE the signed catalog closes, with hosts fixed (live patch applied), fixable (build exists for the host's "
                                + "kernel, not applied) and not fixable by live patch (no build for its kernel) (query: cve)",
                        c -> {
                            only(c, Set.of("cve"));
                            String cve = c.query().get("cve");
                            if (cve != null && !CveId.valid(cve)) {
                                return Reply.error(400, CveId.problem(cve));
                            }
                            return Reply.ok(exposure.summaries(cve));
                        }),
                new Route("GET", "/api/v1/cves/{cve}/hosts", Access.VIEWER, 0,
                        "Each host's status for one CVE, by host id (query: limit 1.." + MAX_LIMIT + ", cursor)", c -> {
                    only(c, Set.of("limit", "cursor"));
                    String cve = c.param("cve");
                    if (!CveId.valid(cve)) {
                        return Reply.error(400, CveId.problem(cve));
                    }
                    if (!exposure.known(cve)) {
                        return Reply.error(404, "no signed build names " + cve);
                    }
                    int limit = limit(c);
                    String cursor = c.query().get("cursor");
                    List<Exposure.HostStatus> page = exposure.hosts(cve, cursor == null ? null : decode(cursor), limit + 1);
                    boolean more = page.size() > limit;
                    List<Exposure.HostStatus> shown = more ? page.subList(0, limit) : page;
                    return new Reply.Json(200, shown, more ? Map.of(NEXT_CURSOR, encode(shown.get(shown.size() - 1).hostId())) : Map.of());
                }),
                new Route("GET", "/api/v1/hosts/{hostId}/vex", Access.VIEWER, 0,
                        "The host's CVE status as an OpenVEX 0.2.0 document: fixed where a live patch closes the CVE on its kernel", c -> {
                    only(c, Set.of());
                    String problem = Bounds.id("hostId", c.param("hostId"));
                    if (problem != null) {
                        return Reply.error(400, problem);
                    }
                    Map<String, Exposure.HostStatus> statuses = exposure.forHost(c.param("hostId"));
                    if (statuses.isEmpty() && !exposure.hostExists(c.param("hostId"))) {
                        return Reply.error(404, "no host " + c.param("hostId") + " (or it is revoked)");
                    }
                    Map<String, Object> doc = OpenVex.document(c.param("hostId"), statuses, clock.instant(), "klpfleet");
                    return doc == null ? Reply.error(404, "no CVE is named by any signed build yet: nothing to state") : Reply.ok(doc);
                }));
    }

    private static void only(Call c, Set<String> allowed) {
        for (String k : c.query().keySet()) {
            if (!allowed.contains(k)) {
                throw new Call.BadRequest("unknown query parameter " + (k.length() <= 64 ? k : k.substring(0, 64) + "…")
                        + (allowed.isEmpty() ? " (this endpoint takes none)" : " (allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)) + ")"));
            }
        }
    }

    private static int limit(Call c) {
        String v = c.query().get("limit");
        if (v == null) {
            return MAX_LIMIT;
        }
        try {
            int n = Integer.parseInt(v);
            if (n >= 1 && n <= MAX_LIMIT) {
                return n;
            }
        } catch (NumberFormatException e) {
            // the message below says what is wanted
        }
        throw new Call.BadRequest("limit must be a whole number within 1.." + MAX_LIMIT);
    }

    private static String encode(String id) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(id.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String cursor) {
        try {
            return new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new Call.BadRequest("cursor is not one this server gave out");
        }
    }
}
