package dev.klpfleet.server.dashboard;

import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.rollout.Rollouts;
import dev.klpfleet.server.rollout.core.Command;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.FormFields;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The web dashboard: server-rendered pages behind a sign-in with an operator token (viewer reads,
 * operator acts), a session cookie (HttpOnly, SameSite=Strict, expiring), a CSRF token on every
 * state-changing form, and a Content-Security-Policy that lets the page load nothing from another
 * origin. Scripts (ECharts from its WebJar, and this dashboard's own) are served from here.
 */
public final class DashboardHandler extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(DashboardHandler.class);
    static final String COOKIE = "klpfleet_session";
    /** Only this origin: no inline script or style, no frames, forms post only here. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
    static final String ECHARTS = "META-INF/resources/webjars/echarts/5.3.1/dist/echarts.min.js";
    private static final Map<String, String[]> ASSETS = Map.of(
            "/assets/echarts.min.js", new String[] {ECHARTS, "text/javascript; charset=utf-8"},
            "/assets/dashboard.js", new String[] {"dashboard/dashboard.js", "text/javascript; charset=utf-8"},
            "/assets/dashboard.css", new String[] {"dashboard/dashboard.css", "text/css; charset=utf-8"});
    static final int MAX_FORM_FIELDS = 10;
    static final int MAX_FORM_BYTES = 8 * 1024;

    private final AccessStore access;
    private final Rollouts rollouts;
    private final Pages pages;
    private final Sessions sessions;
    private final Map<String, byte[]> assetBytes = new ConcurrentHashMap<>();

    DashboardHandler(AccessStore access, Rollouts rollouts, Pages pages, Sessions sessions) {
        this.access = access;
        this.rollouts = rollouts;
        this.pages = pages;
        this.sessions = sessions;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = request.getHttpURI().getPath();
        String method = request.getMethod();
        Map<String, String> query = query(request);
        response.getHeaders().put("Content-Security-Policy", CSP);
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        // same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on form posts, which the origin check refuses.
        response.getHeaders().put("Referrer-Policy", "same-origin");
        response.getHeaders().put("X-Frame-Options", "DENY");
        try {
            String[] asset = ASSETS.get(path);
            if (asset != null && (method.equals("GET") || method.equals("HEAD"))) {
                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "max-age=3600");
                return send(response, callback, 200, asset[1], asset(asset[0]));
            }
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            if (method.equals("POST") && !sameOrigin(request)) {
                return page(response, callback, 403, "Refused", null, "<p>A form from another origin is refused.</p>");
            }
            if (path.equals("/signin")) {
                return method.equals("POST") ? signIn(request, response, callback) : page(response, callback, 200, "Sign in", null, signInForm(null));
            }
            Optional<Sessions.Session> session = session(request);
            if (session.isEmpty()) {
                if (method.equals("GET")) {
                    response.getHeaders().put(HttpHeader.LOCATION, "/signin");
                    return send(response, callback, 303, "text/plain; charset=utf-8", new byte[0]);
                }
                return page(response, callback, 401, "Signed out", null, "<p>Your session has ended: <a href=\"/signin\">sign in</a>.</p>");
            }
            Sessions.Session s = session.get();
            if (method.equals("POST")) {
                return post(request, response, callback, s, path);
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return page(response, callback, 405, "Not allowed", s, "<p>" + Html.esc(method) + " is not allowed here.</p>");
            }
            boolean poll = "1".equals(request.getHeaders().get("X-Dashboard-Poll"));
            String[] seg = path.substring(1).split("/", -1);
            String body;
            String title;
            switch (seg[0]) {
                case "" -> {
                    title = "Fleet";
                    body = pages.fleet();
                }
                case "hosts" -> {
                    title = "Hosts";
                    body = seg.length == 2 ? pages.host(seg[1])
                            : pages.hostList(query.getOrDefault("q", ""), query.getOrDefault("afterName", ""), query.getOrDefault("afterId", ""));
                }
                case "patches" -> {
                    title = "Patches";
                    body = pages.patches();
                }
                case "rollouts" -> {
                    title = "Rollouts";
                    boolean canAct = s.operator().role().includes(Role.OPERATOR);
                    if (seg.length == 4 && seg[2].equals("confirm") && verb(seg[3]) != null) {
                        body = canAct ? pages.confirm(seg[1], seg[3], s.csrf()) : "<p>Operator actions need an operator token.</p>";
                    } else {
                        body = seg.length == 2 ? pages.rollout(seg[1], canAct) : seg.length == 1 ? pages.rolloutList() : null;
                    }
                }
                case "analytics" -> {
                    title = "Analytics";
                    body = pages.analytics();
                }
                case "cves" -> {
                    title = "CVEs";
                    body = pages.cves();
                }
                default -> {
                    title = "Not found";
                    body = null;
                }
            }
            if (body == null) {
                return page(response, callback, 404, "Not found", s, "<p>Nothing here: " + Html.esc(path) + "</p>");
            }
            if (poll) {
                return send(response, callback, 200, "text/html; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
            }
            return page(response, callback, 200, title, s, body);
        } catch (RuntimeException e) {
            LOG.error("dashboard {} {} failed: {}", method, path, e.toString());
            return page(response, callback, 500, "Error", null, "<p>Internal error (see the server log).</p>");
        }
    }

    private boolean post(Request request, Response response, Callback callback, Sessions.Session s, String path) {
        Fields form = form(request);
        if (form == null) {
            return page(response, callback, 400, "Bad form", s, "<p>The form could not be read.</p>");
        }
        String csrf = form.getValue("csrf");
        if (csrf == null || !MessageDigest.isEqual(csrf.getBytes(StandardCharsets.UTF_8), s.csrf().getBytes(StandardCharsets.UTF_8))) {
            return page(response, callback, 403, "Refused", s, "<p>Refused: the form's CSRF token is missing or wrong. Reload the page and try again.</p>");
        }
        if (path.equals("/signout")) {
            sessions.close(s.id());
            response.getHeaders().add(HttpHeader.SET_COOKIE, cookie("", 0, request.isSecure()));
            response.getHeaders().put(HttpHeader.LOCATION, "/signin");
            return send(response, callback, 303, "text/plain; charset=utf-8", new byte[0]);
        }
        String[] seg = path.substring(1).split("/", -1);
        if (seg.length == 3 && seg[0].equals("rollouts") && verb(seg[2]) != null) {
            if (!s.operator().role().includes(Role.OPERATOR)) {
                return page(response, callback, 403, "Refused", s, "<p>Refused: token '" + Html.esc(s.operator().name())
                        + "' has role viewer; this needs operator or higher.</p>");
            }
            String reason = form.getValue("reason");
            if (reason != null && (reason.length() > 256 || reason.chars().anyMatch(Character::isISOControl))) {
                return page(response, callback, 400, "Bad reason", s, "<p>reason must be at most 256 characters without control characters</p>");
            }
            Command cmd = command(verb(seg[2]), s.operator().name(), reason == null || reason.isBlank() ? null : reason);
            Rollouts.Outcome o = rollouts.command(seg[1], cmd, s.operator());
            if (o instanceof Rollouts.Outcome.Done) {
                response.getHeaders().put(HttpHeader.LOCATION, "/rollouts/" + java.net.URLEncoder.encode(seg[1], StandardCharsets.UTF_8));
                return send(response, callback, 303, "text/plain; charset=utf-8", new byte[0]);
            }
            String why = o instanceof Rollouts.Outcome.NotFound n ? n.reason() : o instanceof Rollouts.Outcome.Invalid i ? i.reason()
                    : ((Rollouts.Outcome.Conflict) o).reason();
            return page(response, callback, o instanceof Rollouts.Outcome.NotFound ? 404 : 409, "Not done", s, "<p>" + Html.esc(why) + "</p>");
        }
        return page(response, callback, 404, "Not found", s, "<p>Nothing to post to here.</p>");
    }

    private boolean signIn(Request request, Response response, Callback callback) {
        Fields form = form(request);
        String token = form == null ? null : form.getValue("token");
        Optional<Principal.Operator> who = token == null || token.isBlank() ? Optional.empty()
                : access.operator(token.strip(), Request.getRemoteAddr(request));
        if (who.isEmpty()) {
            return page(response, callback, 401, "Sign in", null, signInForm("That token is unknown, revoked or not an operator token."));
        }
        Sessions.Session s = sessions.open(who.get());
        response.getHeaders().add(HttpHeader.SET_COOKIE, cookie(s.id(), sessions.ttl().toSeconds(), request.isSecure()));
        response.getHeaders().put(HttpHeader.LOCATION, "/");
        return send(response, callback, 303, "text/plain; charset=utf-8", new byte[0]);
    }

    /** HttpOnly (no script reads it), SameSite=Strict (no other site's page sends it), expiring with the session; Secure over TLS. */
    static String cookie(String value, long maxAgeSeconds, boolean secure) {
        return COOKIE + "=" + value + "; Path=/; Max-Age=" + maxAgeSeconds + "; HttpOnly; SameSite=Strict" + (secure ? "; Secure" : "");
    }

    private Optional<Sessions.Session> session(Request request) {
        for (HttpCookie c : Request.getCookies(request)) {
            if (c.getName().equals(COOKIE)) {
                Optional<Sessions.Session> s = sessions.get(c.getValue());
                // A token revoked after sign-in ends its sessions at their next request.
                if (s.isPresent() && access.get(s.get().operator().tokenId()).map(t -> t.revokedAt() != null).orElse(true)) {
                    sessions.close(s.get().id());
                    return Optional.empty();
                }
                return s;
            }
        }
        return Optional.empty();
    }

    /** A POST's Origin (when the browser sends one) must be this server's own. */
    private static boolean sameOrigin(Request request) {
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null) {
            return true;
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        return host != null && (origin.equals("http://" + host) || origin.equals("https://" + host));
    }

    private static Fields form(Request request) {
        try {
            return FormFields.getFields(request, MAX_FORM_FIELDS, MAX_FORM_BYTES);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Command.Verb verb(String wire) {
        for (Command.Verb v : Command.Verb.values()) {
            if (v.wire().equals(wire)) {
                return v;
            }
        }
        return null;
    }

    private static Command command(Command.Verb verb, String actor, String reason) {
        return switch (verb) {
            case PAUSE -> new Command.Pause(actor, reason);
            case RESUME -> new Command.Resume(actor, reason);
            case ABORT -> new Command.Abort(actor, reason);
            case PROMOTE -> new Command.Promote(actor, reason);
            case ROLLBACK -> new Command.Rollback(actor, reason);
        };
    }

    private static String signInForm(String problem) {
        return "<form method=\"post\" action=\"/signin\" class=\"signin\"><h1>klpfleet</h1>"
                + (problem == null ? "" : "<p class=\"error\">" + Html.esc(problem) + "</p>")
                + "<label>API token (viewer reads, operator acts) <input type=\"password\" name=\"token\" autocomplete=\"off\"></label>"
                + "<button id=\"signin\">Sign in</button></form>";
    }

    private boolean page(Response response, Callback callback, int status, String title, Sessions.Session s, String body) {
        StringBuilder b = new StringBuilder(body.length() + 2048);
        b.append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(Html.esc(title))
                .append(" · klpfleet</title><link rel=\"stylesheet\" href=\"/assets/dashboard.css\"></head><body>");
        if (s != null) {
            b.append("<nav><b>klpfleet</b> <a href=\"/\">Fleet</a> <a href=\"/hosts\">Hosts</a> <a href=\"/patches\">Patches</a> ")
                    .append("<a href=\"/rollouts\">Rollouts</a> <a href=\"/analytics\">Analytics</a> <a href=\"/cves\">CVEs</a>")
                    .append("<span class=\"who\">").append(Html.esc(s.operator().name())).append(" (").append(Html.esc(s.operator().role().name().toLowerCase()))
                    .append(")</span><form method=\"post\" action=\"/signout\" class=\"signout\"><input type=\"hidden\" name=\"csrf\" value=\"")
                    .append(Html.esc(s.csrf())).append("\"><button id=\"signout\">Sign out</button></form></nav>");
        }
        b.append("<main id=\"main\">").append(body).append("</main>");
        if (s != null) {
            b.append("<script src=\"/assets/echarts.min.js\"></script><script src=\"/assets/dashboard.js\"></script>");
        }
        b.append("</body></html>");
        return send(response, callback, status, "text/html; charset=utf-8", b.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }

    private byte[] asset(String resource) {
        return assetBytes.computeIfAbsent(resource, r -> {
            try (InputStream in = DashboardHandler.class.getClassLoader().getResourceAsStream(r)) {
                if (in == null) {
                    throw new IllegalStateException("dashboard asset " + r + " is not on the classpath");
                }
                return in.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private static Map<String, String> query(Request request) {
        Map<String, String> m = new java.util.HashMap<>();
        if (request.getHttpURI().getQuery() == null) {
            return m;
        }
        try {
            for (Fields.Field f : Request.extractQueryParameters(request)) {
                m.put(f.getName(), f.getValue());
            }
        } catch (RuntimeException e) {
            // an unreadable query is ignored: every page works without one
        }
        return m;
    }
}
