package dev.klpfleet.server.api;

import dev.klpfleet.protocol.fleet.ApiError;
import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.access.SignInFailures;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
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
    private final SignInFailures signIns;

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

    public ApiHandler(List<Route> routes, AccessStore access, HostStore hosts, SignInFailures signIns, MeterRegistry meters) {
        this.routes = routes.stream().map(r -> new Compiled(r, r.path().substring(1).split("/", -1),
                Timer.builder("klpfleet.http.requests").tag("method", r.method()).tag("route", r.path())
                        .description("API requests by route").register(meters))).toArray(Compiled[]::new);
        this.access = access;
        this.hosts = hosts;
        this.signIns = signIns;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        long started = System.nanoTime();
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        Compiled route = null;
        Reply reply;
        try {
            String[] segs = path == null || path.length() < 1 ? new String[] {""} : path.substring(1).split("/", -1);
            Map<String, String> params = null;
            boolean pathKnown = false;
            for (Compiled r : routes) {
                Map<String, String> m = r.match(segs);
                if (m != null) {
                    pathKnown = true;
                    if (r.route().method().equals(method)) {
                        route = r;
                        params = m;
                        break;
                    }
                }
            }
            if (route == null) {
                reply = pathKnown ? Reply.error(405, method + " is not allowed on " + path)
                        : Reply.error(404, "no such endpoint: " + method + " " + path + " (see /api/v1/openapi.json)");
            } else {
                String from = Request.getRemoteAddr(request);
                String authorization = request.getHeaders().get(HttpHeader.AUTHORIZATION);
                Principal who = authenticate(authorization, from);
                if (who instanceof Principal.Anonymous && route.route().access() != Access.PUBLIC && bearer(authorization) != null) {
                    signIns.failed(from, kind(bearer(authorization)) + " refused on " + method + " " + path);
                }
                Reply denied = authorize(route.route(), who, params);
                if (denied != null) {
                    reply = denied;
                } else {
                    byte[] body = readBody(request, route.route().maxBody());
                    reply = route.route().handler().apply(new Call(params, query(request), who, body, request.getHeaders().get(HttpHeader.IF_NONE_MATCH)));
                }
            }
        } catch (Call.BadRequest e) {
            reply = Reply.error(400, e.getMessage());
        } catch (BodyTooLarge e) {
            reply = Reply.error(413, e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", method, path, e);
            reply = Reply.error(500, "internal error: " + e.getClass().getSimpleName() + " (see server log)");
        }
        write(response, reply, callback);
        if (route != null) {
            route.timer().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
        return true;
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

    private static final class BodyTooLarge extends RuntimeException {
        BodyTooLarge(String message) {
            super(message, null, false, false);
        }
    }

    private static byte[] readBody(Request request, int max) {
        long declared = request.getLength();
        if (declared > max) {
            throw new BodyTooLarge("request body of " + declared + " bytes exceeds this endpoint's limit of " + max + " bytes");
        }
        if (declared == 0) {
            return new byte[0];
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            if (declared > 0) {
                // The common case: read exactly the declared length into one array, without growing buffers.
                byte[] body = new byte[(int) declared];
                int got = in.readNBytes(body, 0, body.length);
                if (got < declared) {
                    throw new Call.BadRequest("truncated request body: got " + got + " of " + declared + " bytes");
                }
                return body;
            }
            byte[] body = in.readNBytes(max + 1);
            if (body.length > max) {
                throw new BodyTooLarge("request body exceeds this endpoint's limit of " + max + " bytes");
            }
            if (declared > 0 && body.length < declared) {
                throw new Call.BadRequest("truncated request body: got " + body.length + " of " + declared + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new Call.BadRequest("truncated or aborted request body: " + e.getMessage());
        }
    }

    private static Map<String, String> query(Request request) {
        if (request.getHttpURI().getQuery() == null) {
            return Map.of();
        }
        Fields fields = Request.extractQueryParameters(request);
        Map<String, String> m = new HashMap<>();
        for (Fields.Field f : fields) {
            m.put(f.getName(), f.getValue());
        }
        return m;
    }

    private static void write(Response response, Reply reply, Callback callback) {
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
        response.write(true, ByteBuffer.wrap(body), callback);
    }
}
