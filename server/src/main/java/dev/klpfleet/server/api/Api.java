package dev.klpfleet.server.api;

import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.CrashHold;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.host.Checkins;
import dev.klpfleet.server.host.Desired;
import dev.klpfleet.server.host.EventStore;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.patch.PatchStore;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.RolloutRequest;
import dev.klpfleet.server.rollout.Rollouts;
import dev.klpfleet.server.metrics.FleetMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/** The API's route table: every endpoint, who may call it, and what it does. The OpenAPI document is generated from it. */
public final class Api {
    /** Largest module an upload may carry; a livepatch module is kilobytes to a few megabytes. */
    public static final int MAX_MODULE = PatchStore.MAX_MODULE;
    /** Largest artifact upload body: the module in base64 (a third more) plus manifest, signature and catalog entry. */
    public static final int UPLOAD_BODY = 90 * 1024 * 1024;
    /** Most patches one host may report loaded in a check-in, and most capabilities it may list. */
    static final int MAX_LOADED = 64;
    /** Longest an enrollment token may live. */
    public static final Duration MAX_ENROLLMENT_TTL = Duration.ofDays(365);
    static final String VERSION = "v1";

    private Api() {}

    /** The services the routes call. */
    public record Services(AccessStore access, AuditLog audit, HostStore hosts, Checkins checkins, EventStore events,
                           PatchStore patches, Rollouts rollouts, PrometheusMeterRegistry meters, FleetMetrics metrics) {}

    /** A request to issue an operator token. */
    public record TokenRequest(String name, Role role) {}

    /** A request to issue an enrollment token; enrolled hosts get {@code labels}. */
    public record EnrollmentTokenRequest(String name, Map<String, String> labels, Long ttlHours) {}

    /** An operator command's optional reason. */
    public record CommandRequest(String reason) {}

    /** Body of {@code POST /api/v1/hosts/{hostId}/clear-crash}. */
    public record ClearCrashRequest(String patch, String reason) {}

    public static List<Route> routes(Services s) {
        return routes(s, List.of());
    }

    /** The route table with {@code more} routes (served by other packages, e.g. analytics) after the core API's; all in the OpenAPI document. */
    public static List<Route> routes(Services s, List<Route> more) {
        List<Route> r = new ArrayList<>();
        r.add(new Route("GET", "/healthz", Access.PUBLIC, 0, "Liveness: 200 while the server serves", c -> Reply.ok(Map.of("status", "ok"))));
        r.add(new Route("GET", "/metrics", Access.PUBLIC, 0, "Prometheus metrics", c -> new Reply.Bytes(200,
                "text/plain; version=0.0.4; charset=utf-8", s.meters().scrape().getBytes(StandardCharsets.UTF_8), Map.of())));
        List<Route> docRoutes = r;
        r.add(new Route("GET", "/api/v1/openapi.json", Access.PUBLIC, 0, "This API's OpenAPI 3 document",
                c -> Reply.ok(OpenApi.document(docRoutes, VERSION))));

        r.add(new Route("POST", "/api/v1/enroll", Access.ENROLLMENT, Route.SMALL_BODY, "Enroll a host; returns its id and credential", c -> {
            EnrollRequest req = c.wire(EnrollRequest.class);
            String problem = Bounds.first(Bounds.hostname("hostname", req.hostname()), Bounds.kernelRelease("kernelRelease", req.kernelRelease()),
                    Bounds.text("distro", req.distro()), Bounds.labels("labels", req.labels()), Bounds.list("capabilities", req.capabilities(), MAX_LOADED),
                    req.capabilities() == null ? null : req.capabilities().stream().map(x -> Bounds.name("capabilities", x)).filter(x -> x != null)
                            .findFirst().orElse(null));
            if (problem != null) {
                return Reply.error(400, problem);
            }
            Principal.Enroller en = (Principal.Enroller) c.principal();
            return Reply.created(s.hosts().enroll(req, en.labels(), AuditLog.Actor.of(en)));
        }));
        r.add(new Route("POST", "/api/v1/hosts/{hostId}/checkin", Access.HOST, Route.SMALL_BODY,
                "Report observed state; returns the desired patch set (304 if unchanged since If-None-Match)", c -> {
            CheckinRequest req = c.wire(CheckinRequest.class);
            String problem = Bounds.first(Checkins.problem(req), Bounds.kernelRelease("kernelRelease", req.kernelRelease()),
                    Bounds.list("loaded", req.loaded(), MAX_LOADED), req.taint() != null && req.taint() < 0 ? "taint must not be negative" : null,
                    req.loaded() == null ? null : req.loaded().stream().map(p -> Bounds.first(Bounds.name("loaded.name", p.name()),
                            Bounds.text("loaded.version", p.version()), Bounds.text("loaded.state", p.state()), Bounds.text("loaded.sha256", p.sha256())))
                            .filter(x -> x != null).findFirst().orElse(null));
            if (problem != null) {
                return Reply.error(400, problem);
            }
            Desired d = s.checkins().checkin(c.param("hostId"), req);
            if (d.etag().equals(c.ifNoneMatch())) {
                return new Reply.Bytes(304, "application/json", new byte[0], Map.of("ETag", d.etag()));
            }
            return new Reply.Bytes(200, "application/json", d.body(), Map.of("ETag", d.etag()));
        }));
        r.add(new Route("POST", "/api/v1/hosts/{hostId}/events", Access.HOST, Route.SMALL_BODY,
                "Report an apply, unload or health result with its evidence", c -> {
            HostEvent e = c.wire(HostEvent.class);
            String problem = Bounds.first(EventStore.problem(e), Bounds.instant("occurredAt", e.occurredAt()), Bounds.text("patch", e.patch()),
                    Bounds.text("version", e.version()));
            if (problem != null) {
                return Reply.error(400, problem);
            }
            return s.events().record(c.param("hostId"), e) ? Reply.created(Map.of("recorded", e.eventId()))
                    : Reply.error(409, "event " + e.eventId() + " of this host is already recorded");
        }));
        r.add(new Route("GET", "/api/v1/hosts/{hostId}/crash-holds", Access.HOST_OR_VIEWER, 0,
                "The host's crash-suspected events, each with its clearing once an operator cleared it", c -> {
            if (c.principal() instanceof Principal.Host h && !h.hostId().equals(c.param("hostId"))) {
                return Reply.error(403, "a host credential acts only as its own host (" + h.hostId() + ")");
            }
            if (c.principal() instanceof Principal.Operator && s.hosts().get(c.param("hostId")).isEmpty()) {
                return Reply.error(404, "no host " + c.param("hostId"));
            }
            return Reply.ok(s.events().crashHolds(c.param("hostId")));
        }));
        r.add(new Route("POST", "/api/v1/hosts/{hostId}/clear-crash", Access.OPERATOR, Route.SMALL_BODY,
                "Clear a host's crash-suspected events for one patch (body: patch, reason); its agent may then load the patch again", c -> {
            String hostId = c.param("hostId");
            ClearCrashRequest req = audited(s, c, "host.clear-crash", () -> c.json(ClearCrashRequest.class));
            String problem = blank(req.patch()) ? "patch is required" : Bounds.first(Bounds.text("patch", req.patch()), Bounds.text("reason", req.reason()));
            if (problem != null) {
                return refused(s, c, "host.clear-crash", hostId, 400, problem);
            }
            if (s.hosts().get(hostId).isEmpty()) {
                return refused(s, c, "host.clear-crash", hostId, 404, "no host " + hostId);
            }
            List<CrashHold> cleared = s.events().clearCrash(hostId, req.patch(), req.reason(), s.audit(), AuditLog.Actor.of(c.operator()));
            if (cleared.isEmpty()) {
                return refused(s, c, "host.clear-crash", hostId, 409, "host " + hostId + " holds no crash-suspected event for patch " + req.patch());
            }
            return Reply.ok(cleared);
        }));
        r.add(new Route("GET", "/api/v1/artifacts/{sha256}", Access.HOST_OR_VIEWER, 0, "Download a module by its SHA-256",
                c -> s.patches().content(c.param("sha256")).<Reply>map(b -> {
                    s.metrics().download(b.length);
                    return new Reply.Bytes(200, "application/octet-stream", b, Map.of("ETag", "\"" + c.param("sha256") + "\""));
                }).orElseGet(() -> {
                    s.metrics().downloadMissing();
                    return Reply.error(404, "no artifact with sha256 " + c.param("sha256"));
                })));
        r.add(new Route("GET", "/api/v1/artifacts/{sha256}/manifest", Access.HOST_OR_VIEWER, 0,
                "The manifest and signature of a module, byte for byte (base64), for the agent to verify",
                c -> s.patches().signedManifest(c.param("sha256")).<Reply>map(Reply::ok)
                        .orElse(Reply.error(404, "no artifact with sha256 " + c.param("sha256")))));

        r.add(new Route("GET", "/api/v1/hosts", Access.VIEWER, 0, "List hosts by id (query: label=key=value on binding labels, "
                + "hostLabel=key=value on host-claimed ones, kernel=release, limit, cursor)", c -> {
            Map<String, String> labels = new java.util.TreeMap<>();
            Map<String, String> hostLabels = new java.util.TreeMap<>();
            for (Map.Entry<String, Map<String, String>> filter : Map.of("label", labels, "hostLabel", hostLabels).entrySet()) {
                String label = c.query().get(filter.getKey());
                if (label != null) {
                    String[] kv = label.split("=", 2);
                    if (kv.length != 2) {
                        return Reply.error(400, filter.getKey() + " filter must be key=value");
                    }
                    filter.getValue().put(kv[0], kv[1]);
                }
            }
            String kernel = c.query().get("kernel");
            return Page.of(c, s.hosts().list(labels, hostLabels, kernel == null ? List.of() : List.of(kernel)), h -> h.id());
        }));
        r.add(new Route("GET", "/api/v1/hosts/{hostId}", Access.VIEWER, 0, "One host's inventory",
                c -> s.hosts().get(c.param("hostId")).<Reply>map(Reply::ok).orElse(Reply.error(404, "no host " + c.param("hostId")))));
        r.add(new Route("GET", "/api/v1/patches", Access.VIEWER, 0, "The patch catalog with versions and artifacts (query: limit, cursor)",
                c -> Page.of(c, s.patches().list(), p -> p.name())));
        r.add(new Route("POST", "/api/v1/artifacts", Access.OPERATOR, UPLOAD_BODY,
                "Upload one signed build output (manifest, signature, module; base64)", c -> {
            ArtifactUpload up = audited(s, c, "patch.upload", () -> c.json(ArtifactUpload.class));
            PatchStore.Outcome o = s.patches().upload(up, c.operator());
            if (o instanceof PatchStore.Outcome.Rejected rej) {
                return refused(s, c, "patch.upload", "artifact", rej.conflict() ? 409 : 422, rej.reason());
            }
            return Reply.created(o);
        }));
        r.add(new Route("GET", "/api/v1/rollouts", Access.VIEWER, 0, "List rollouts, newest first (query: limit, cursor)",
                c -> Page.of(c, s.rollouts().list(), v -> v.id())));
        r.add(new Route("POST", "/api/v1/rollouts", Access.OPERATOR, Route.SMALL_BODY, "Create a rollout of a patch version", c -> {
            RolloutRequest req = audited(s, c, "rollout.create", () -> c.json(RolloutRequest.class));
            String problem = req.selector() == null ? null : Bounds.first(Bounds.labels("selector.labels", req.selector().labels()),
                    Bounds.labels("selector.hostLabels", req.selector().hostLabels()),
                    Bounds.list("selector.kernelReleases", req.selector().kernelReleases(), Bounds.MAX_LIST),
                    req.selector().kernelReleases() == null ? null : req.selector().kernelReleases().stream()
                            .map(k -> Bounds.kernelRelease("selector.kernelReleases", k)).filter(x -> x != null).findFirst().orElse(null));
            if (problem == null) {
                problem = Bounds.first(Bounds.text("patch", req.patch()), Bounds.text("version", req.version()));
            }
            if (problem != null) {
                return refused(s, c, "rollout.create", req.patch() + " " + req.version(), 400, problem);
            }
            Reply reply = rollout(s.rollouts().create(req, c.operator()), 201);
            if (reply instanceof Reply.Error e) {
                s.audit().record(c.operator(), "rollout.create", req.patch() + " " + req.version(), "refused " + e.status() + ": " + e.reason());
            }
            return reply;
        }));
        r.add(new Route("GET", "/api/v1/rollouts/{rolloutId}", Access.VIEWER, 0, "A rollout's progress per wave and its decisions",
                c -> s.rollouts().view(c.param("rolloutId")).<Reply>map(Reply::ok)
                        .orElse(Reply.error(404, "no rollout " + c.param("rolloutId")))));
        r.add(new Route("GET", "/api/v1/rollouts/{rolloutId}/hosts", Access.VIEWER, 0,
                "A rollout's hosts in host id order: wave, phase, since, result (query: limit, cursor)", c -> {
            String id = c.param("rolloutId");
            if (!s.rollouts().exists(id)) {
                return Reply.error(404, "no rollout " + id);
            }
            return Page.keyset(c, (after, n) -> s.rollouts().hosts(id, after, n).orElse(List.of()), l -> l.hostId());
        }));
        r.add(new Route("GET", "/api/v1/rollouts/{rolloutId}/decisions", Access.VIEWER, 0,
                "A rollout's decisions, oldest first (query: limit, cursor)", c -> {
            String id = c.param("rolloutId");
            if (!s.rollouts().exists(id)) {
                return Reply.error(404, "no rollout " + id);
            }
            return Page.keyset(c, (after, n) -> s.rollouts().decisions(id, after == null ? 0 : seq(after), n), d -> Long.toString(d.seq()));
        }));
        for (Command.Verb verb : Command.Verb.values()) {
            command(r, s, verb);
        }

        r.add(new Route("POST", "/api/v1/tokens", Access.ADMIN, Route.SMALL_BODY, "Issue an operator token", c -> {
            TokenRequest req = c.json(TokenRequest.class);
            if (blank(req.name()) || req.role() == null) {
                return Reply.error(400, "name and role (VIEWER, OPERATOR, ADMIN) are required");
            }
            String nameProblem = Bounds.first(Bounds.name("name", req.name()), AccessStore.nameProblem(req.name()));
            if (nameProblem != null) {
                return refused(s, c, "token.issue", req.name(), 400, nameProblem);
            }
            AccessStore.Issued issued = s.access().issueToken(req.name(), req.role());
            s.audit().record(c.operator(), "token.issue", issued.id(), "role " + req.role() + " for " + req.name());
            return Reply.created(issued);
        }));
        r.add(new Route("POST", "/api/v1/enrollment-tokens", Access.ADMIN, Route.SMALL_BODY, "Issue an enrollment token for hosts", c -> {
            EnrollmentTokenRequest req = c.json(EnrollmentTokenRequest.class);
            long hours = req.ttlHours() == null ? 24 : req.ttlHours();
            if (blank(req.name()) || hours <= 0 || hours > MAX_ENROLLMENT_TTL.toHours()) {
                return Reply.error(400, "name is required and ttlHours must be within 1.." + MAX_ENROLLMENT_TTL.toHours());
            }
            String nameProblem = Bounds.first(Bounds.name("name", req.name()), AccessStore.nameProblem(req.name()),
                    Bounds.labels("labels", req.labels()));
            if (nameProblem != null) {
                return refused(s, c, "enrollment-token.issue", req.name(), 400, nameProblem);
            }
            AccessStore.Issued issued = s.access().issueEnrollmentToken(req.name(), req.labels() == null ? Map.of() : req.labels(),
                    Duration.ofHours(hours));
            s.audit().record(c.operator(), "enrollment-token.issue", issued.id(), req.name() + " valid " + hours + "h"
                    + (req.labels() == null || req.labels().isEmpty() ? "" : ", binding labels " + new java.util.TreeMap<>(req.labels())));
            return Reply.created(issued);
        }));
        r.add(new Route("GET", "/api/v1/tokens", Access.ADMIN, 0,
                "Every operator and enrollment token (never the secret): id, kind, name, role, labels, created, last used, expiry, revocation",
                c -> Reply.ok(s.access().list())));
        r.add(new Route("POST", "/api/v1/tokens/{tokenId}/revoke", Access.ADMIN, 0,
                "Revoke an operator or enrollment token; it gets 401 from the next request on", c -> {
            String id = c.param("tokenId");
            java.util.Optional<AccessStore.TokenView> before = s.access().get(id);
            if (before.isEmpty()) {
                return refused(s, c, "token.revoke", id, 404, "no token " + id);
            }
            AccessStore.TokenView after = s.access().revoke(id).orElseThrow();
            s.audit().record(c.operator(), "token.revoke", id, before.get().revokedAt() == null
                    ? "revoked " + after.kind() + " token '" + after.name() + "'" : "already revoked at " + before.get().revokedAt());
            return Reply.ok(after);
        }));
        r.add(new Route("POST", "/api/v1/hosts/{hostId}/revoke", Access.ADMIN, 0,
                "Revoke a host's credential; the host gets 401 and new rollouts leave it out", c ->
                s.hosts().revoke(c.param("hostId"), AuditLog.Actor.of(c.operator())).<Reply>map(Reply::ok)
                        .orElseGet(() -> refused(s, c, "host.revoke", c.param("hostId"), 404, "no host " + c.param("hostId")))));
        r.add(new Route("GET", "/api/v1/audit", Access.ADMIN, 0,
                "The audit log, newest first, paged (query: limit 1..500, default 500; cursor from X-Next-Cursor)", c ->
                Page.keyset(c, (after, n) -> {
                    try {
                        return s.audit().olderThan(after, n);
                    } catch (IllegalArgumentException e) {
                        throw new Call.BadRequest("cursor is not one this server gave out");
                    }
                }, AuditLog::key)));
        r.addAll(more);
        return r;
    }

    /** The route of one operator command; exhaustive, so a new verb is a compile error until it has a route. */
    private static void command(List<Route> r, Services s, Command.Verb verb) {
        String summary = switch (verb) {
            case PAUSE -> "Pause a running rollout";
            case RESUME -> "Resume a paused rollout; gates count evidence from now on";
            case ABORT -> "Stop a rollout; hosts keep what they applied";
            case PROMOTE -> "Start the next wave now";
            case ROLLBACK -> "Drop the patch from every host's desired set";
        };
        BiFunction<String, String, Command> make = switch (verb) {
            case PAUSE -> Command.Pause::new;
            case RESUME -> Command.Resume::new;
            case ABORT -> Command.Abort::new;
            case PROMOTE -> Command.Promote::new;
            case ROLLBACK -> Command.Rollback::new;
        };
        r.add(new Route("POST", "/api/v1/rollouts/{rolloutId}/" + verb.wire(), Access.OPERATOR, Route.SMALL_BODY, summary, c -> {
            String reason = c.body().length == 0 ? null : c.json(CommandRequest.class).reason();
            String problem = Bounds.text("reason", reason);
            if (problem != null) {
                return Reply.error(400, problem);
            }
            return rollout(s.rollouts().command(c.param("rolloutId"), make.apply(c.operator().name(), reason), c.operator()), 200);
        }));
    }

    private static Reply rollout(Rollouts.Outcome o, int okStatus) {
        if (o instanceof Rollouts.Outcome.Done d) {
            return new Reply.Json(okStatus, d.view(), Map.of());
        }
        if (o instanceof Rollouts.Outcome.NotFound n) {
            return Reply.error(404, n.reason());
        }
        if (o instanceof Rollouts.Outcome.Invalid i) {
            return Reply.error(400, i.reason());
        }
        return Reply.error(409, ((Rollouts.Outcome.Conflict) o).reason());
    }

    /** A refused operator action: audited as refused with its status, then answered. */
    private static Reply refused(Services s, Call c, String action, String target, int status, String reason) {
        s.audit().record(c.operator(), action, target == null ? "-" : target, "refused " + status + ": " + reason);
        return Reply.error(status, reason);
    }

    /** Parses a request body, auditing a body that cannot be read as a refused {@code action}. */
    private static <T> T audited(Services s, Call c, String action, java.util.function.Supplier<T> parse) {
        try {
            return parse.get();
        } catch (Call.BadRequest e) {
            s.audit().record(c.operator(), action, "-", "refused 400: " + e.getMessage());
            throw e;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    /** A decisions cursor's sequence number. */
    private static long seq(String after) {
        try {
            return Long.parseLong(after);
        } catch (NumberFormatException e) {
            throw new Call.BadRequest("cursor is not one this server gave out");
        }
    }
}
