package dev.klpfleet.server.api;

import dev.klpfleet.protocol.fleet.ApiError;
import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.access.SignInFailures;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Consumer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the route table on Jetty's core handler API: finds the route, authenticates the bearer
 * token, enforces the route's access and body limit, runs it, and renders its {@link Reply}.
 * Every failure becomes a status with a one-line {@link ApiError}; nothing a client sends can stop it serving.
 */
public final class ApiHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);

    private final Compiled[] routes;
    private final AccessStore access;
    private final HostStore hosts;
    private final HttpLimits limits;
    private final SignInFailures signIns;
    private final AuditLog audit;

    /** A route with its path split once and its timer, so matching a request allocates nothing but its parameters. */
    private record Compiled(Route route, String[] pattern, Timer timer) {
        /** Path parameters if {@code segs} match, else null. */
        Map<String, String> match(String[] segs) {
            if (pattern.length != segs.length) {
                return null;
            }
            Map<String, String> params = null;
            for (int i = 0; i < pattern.length; i++) {
                String p = pattern[i];
                if (p.charAt(0) == '{' && p.length() > 2) {
                    if (segs[i].isEmpty()) {
                        return null;
                    }
                    if (params == null) {
                        params = new HashMap<>(4);
                    }
                    params.put(p.substring(1, p.length() - 1), segs[i]);
                } else if (!p.equals(segs[i])) {
                    return null;
                }
            }
            return params == null ? Map.of() : params;
        }
    }

    public ApiHandler(List<Route> routes, AccessStore access, HostStore hosts, SignInFailures signIns, AuditLog audit,
                      MeterRegistry meters, HttpLimits limits) {
        this.limits = limits;
        this.audit = audit;
        this.signIns = signIns;
        this.routes = routes.stream().map(r -> new Compiled(r, r.path().substring(1).split("/", -1),
                Timer.builder("klpfleet.http.requests").tag("method", r.method()).tag("route", r.path())
                        .description("API requests by route").register(meters))).toArray(Compiled[]::new);
        this.access = access;
        this.hosts = hosts;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        boolean head = method.equals("HEAD");
        try {
            String[] segs = path == null || path.length() < 1 ? new String[] {""} : path.substring(1).split("/", -1);
            Compiled route = null;
            Map<String, String> params = null;
            StringBuilder allowed = new StringBuilder();
            for (Compiled r : routes) {
                Map<String, String> m = r.match(segs);
                if (m != null) {
                    String rm = r.route().method();
                    allowed.append(allowed.length() == 0 ? "" : ", ").append(rm).append(rm.equals("GET") ? ", HEAD" : "");
                    if (route == null && (rm.equals(method) || head && rm.equals("GET"))) {
                        route = r;
                        params = m;
                    }
                }
            }
            if (route == null) {
                Reply reply = allowed.length() > 0
                        ? new Reply.Error(405, method + " is not allowed on " + path + " (allowed: " + allowed + ")")
                        : Reply.error(404, "no such endpoint: " + method + " " + path + " (see /api/v1/openapi.json)");
                if (allowed.length() > 0) {
                    response.getHeaders().put(HttpHeader.ALLOW, allowed.toString());
                }
                write(response, reply, head, callback);
                return true;
            }
            Map<String, String> query = query(request);
            String from = Request.getRemoteAddr(request);
            String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
            Principal who = authenticate(authorization, from);
            if (who instanceof Principal.Anonymous && route.route().access() != Access.PUBLIC && bearer(authorization) != null) {
                signIns.failed(from, kind(bearer(authorization)) + " refused on " + method + " " + path);
            }
            Reply denied = authorize(route.route(), who, params);
            if (denied != null) {
                write(response, denied, head, callback);
                return true;
            }
            Compiled found = route;
            Map<String, String> foundParams = params;
            String etag = request.getHeaders().get(HttpHeader.IF_NONE_MATCH);
            Consumer<byte[]> run = body -> {
                Reply reply = run(method, path, () -> found.route().handler().apply(new Call(foundParams, query, who, body, etag)));
                write(response, reply, head, callback);
                found.timer().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
            };
            if (found.route().maxBody() == 0) {
                // A route that takes no body never waits for one: a client announcing a body it never sends holds nothing.
                run.accept(new byte[0]);
            } else {
                Duration deadline = found.route().maxBody() > Route.SMALL_BODY ? limits.uploadDeadline() : limits.bodyDeadline();
                BodyReader.read(request, found.route().maxBody(), deadline, run, error -> {
                    auditRefusedBody(who, method + " " + found.route().path(), error);
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                    write(response, error, head, callback);
                });
            }
        } catch (Call.BadRequest e) {
            write(response, Reply.error(400, e.getMessage()), head, callback);
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            write(response, Reply.error(500, "internal error: " + e.getClass().getSimpleName() + " (see server log)"), head, callback);
        }
        return true;
    }

    /**
     * A body refused before its route ran (too large, truncated, too slow) is audited like any
     * refused upload or create, for operators and enrollers; a host's refused check-in is not an
     * operator action and would only flood the log.
     */
    private void auditRefusedBody(Principal who, String route, Reply error) {
        String outcome = "refused " + error.status() + ": " + (error instanceof Reply.Error e ? e.reason() : "");
        try {
            if (who instanceof Principal.Operator op) {
                audit.record(op, "request.refused", route, outcome);
            } else if (who instanceof Principal.Enroller en) {
                audit.record(AuditLog.Actor.of(en), "request.refused", route, outcome);
            }
        } catch (RuntimeException e) {
            // The client still gets its 4xx; the log says the audit entry is missing, without a stack trace.
            LOG.warn("could not audit a refused request body on {}: {}", route, e.toString());
        }
    }

    /** Runs a route's handler; a client error it finds becomes a 400, anything else a 500 logged once. */
    private static Reply run(String method, String path, java.util.function.Supplier<Reply> handler) {
        try {
            return handler.get();
        } catch (Call.BadRequest e) {
            return Reply.error(400, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            return Reply.error(500, "internal error: " + e.getClass().getSimpleName() + " (see server log)");
        }
    }

    /** The bearer token of an Authorization header, or null if there is none. */
    private static String bearer(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return null;
        }
        String token = authorization.substring(7).trim();
        return token.isEmpty() ? null : token;
    }

    /** What kind of credential a refused token looked like, for the audit log (never the token). */
    private static String kind(String token) {
        return token.startsWith("klph_") ? "host credential" : token.startsWith("klpe_") ? "enrollment token" : "operator token";
    }

    private Principal authenticate(String authorization, String from) {
        String token = bearer(authorization);
        if (token == null) {
            return new Principal.Anonymous();
        }
        if (token.startsWith("klph_")) {
            return hosts.hostFor(token).<Principal>map(Principal.Host::new).orElse(new Principal.Anonymous());
        }
        if (token.startsWith("klpe_")) {
            return access.enroller(token, from).<Principal>map(p -> p).orElse(new Principal.Anonymous());
        }
        return access.operator(token, from).<Principal>map(p -> p).orElse(new Principal.Anonymous());
    }

    private static Reply authorize(Route route, Principal who, Map<String, String> params) {
        if (route.access() == Access.PUBLIC) {
            return null;
        }
        if (who instanceof Principal.Anonymous) {
            return Reply.error(401, "missing, unknown, expired or revoked token: send 'Authorization: Bearer <token>'");
        }
        return switch (route.access()) {
            case PUBLIC -> null;
            case ENROLLMENT -> who instanceof Principal.Enroller ? null : Reply.error(403, "enrolling needs an enrollment token");
            case HOST -> {
                if (!(who instanceof Principal.Host h)) {
                    yield Reply.error(403, "this endpoint is for hosts: it needs a host credential");
                }
                yield h.hostId().equals(params.get("hostId")) ? null
                        : Reply.error(403, "a host credential acts only as its own host (" + h.hostId() + ")");
            }
            case HOST_OR_VIEWER -> who instanceof Principal.Host || who instanceof Principal.Operator ? null
                    : Reply.error(403, "needs a host credential or an operator token");
            case VIEWER -> role(who, Role.VIEWER);
            case OPERATOR -> role(who, Role.OPERATOR);
            case ADMIN -> role(who, Role.ADMIN);
        };
    }

    private static Reply role(Principal who, Role needed) {
        if (!(who instanceof Principal.Operator op)) {
            return Reply.error(403, "needs an operator token with role " + needed.name().toLowerCase() + " or higher");
        }
        return op.role().includes(needed) ? null
                : Reply.error(403, "token '" + op.name() + "' has role " + op.role().name().toLowerCase() + "; this needs "
                        + needed.name().toLowerCase() + " or higher");
    }

    private static Map<String, String> query(Request request) {
        if (request.getHttpURI().getQuery() == null) {
            return Map.of();
        }
        Fields fields;
        try {
            fields = Request.extractQueryParameters(request);
        } catch (RuntimeException e) {
            throw new Call.BadRequest("malformed query string: " + e.getMessage());
        }
        Map<String, String> m = new HashMap<>();
        for (Fields.Field f : fields) {
            if (f.getValues().size() > 1) {
                throw new Call.BadRequest("query parameter " + f.getName() + " is given more than once");
            }
            m.put(f.getName(), f.getValue());
        }
        return m;
    }

    private static void write(Response response, Reply reply, boolean head, Callback callback) {
        byte[] body;
        String type = "application/json";
        Map<String, String> headers = Map.of();
        if (reply instanceof Reply.Json j) {
            body = FleetJson.write(j.body()).getBytes(StandardCharsets.UTF_8);
            headers = j.headers();
        } else if (reply instanceof Reply.Bytes b) {
            body = b.body();
            type = b.contentType();
            headers = b.headers();
        } else {
            body = FleetJson.write(new ApiError(((Reply.Error) reply).reason())).getBytes(StandardCharsets.UTF_8);
        }
        response.setStatus(reply.status());
        headers.forEach((k, v) -> response.getHeaders().put(k, v));
        if (reply.status() == 304) {
            response.write(true, null, callback);
            return;
        }
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, head ? null : ByteBuffer.wrap(body), callback);
    }
}
