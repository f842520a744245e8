package dev.klpfleet.agent.controlplane;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.agent.controlplane.ControlPlaneException.Kind;
import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.CheckinResponse;
import dev.klpfleet.protocol.fleet.CrashHold;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.fleet.SignedManifest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;

/**
 * The agent's side of the control plane's host API ({@code /api/v1}), over the JDK's HTTP client.
 * Every call is bounded by a named timeout and ends in a value or a {@link ControlPlaneException}.
 */
public final class ControlPlane {
    /** Connecting to the server; longer means the server is down or unroutable. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** One JSON request: check-in, event, enrollment, manifest. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** One artifact download: modules are kilobytes to a few megabytes. */
    public static final Duration DOWNLOAD_TIMEOUT = Duration.ofMinutes(5);
    /** Larger than any livepatch module; a bigger answer is refused unread. */
    public static final long MAX_ARTIFACT_BYTES = 256L * 1024 * 1024;

    private static final ObjectMapper JSON = WireJson.mapper();

    private final HttpClient http;
    private final URI base;

    public ControlPlane(URI base) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build(), base);
    }

    /** Talks to {@code base} trusting only what {@code trust} says (a CA file or a pinned certificate fingerprint). */
    public ControlPlane(URI base, javax.net.ssl.SSLContext trust) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).sslContext(trust).build(), base);
    }

    public ControlPlane(HttpClient http, URI base) {
        this.http = http;
        this.base = base.toString().endsWith("/") ? base : URI.create(base + "/");
    }

    public URI base() {
        return base;
    }

    /** Joins the fleet with a one-time enrollment token ({@code klpe_…}). */
    public EnrollResponse enroll(String enrollmentToken, EnrollRequest req) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> r = send(post("api/v1/enroll", enrollmentToken, req, REQUEST_TIMEOUT).build());
        return read(ok(r, "enroll"), EnrollResponse.class);
    }

    /** Reports observed state; sends {@code etag} as {@code If-None-Match} unless null. */
    public Checkin checkin(String hostId, String credential, CheckinRequest req, String etag)
            throws ControlPlaneException, InterruptedException {
        HttpRequest.Builder b = post("api/v1/hosts/" + hostId + "/checkin", credential, req, REQUEST_TIMEOUT);
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        HttpResponse<byte[]> r = send(b.build());
        if (r.statusCode() == 304) {
            return new Checkin.Unchanged();
        }
        CheckinResponse body = read(ok(r, "check-in"), CheckinResponse.class);
        return new Checkin.Changed(body, r.headers().firstValue("ETag").orElse(null));
    }

    /**
     * Reports one event. Returns true when the server recorded it now, false when it had already
     * recorded an event with this id (HTTP 409): both mean the event is safe on the server.
     */
    public boolean report(String hostId, String credential, HostEvent event) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> r = send(post("api/v1/hosts/" + hostId + "/events", credential, event, REQUEST_TIMEOUT).build());
        if (r.statusCode() == 409) {
            return false;
        }
        ok(r, "event " + event.eventId());
        return true;
    }

    /**
     * The {@code crash-suspected} events of this host the server holds, cleared or not; the agent asks
     * only while it holds a patch back, so a healthy fleet never makes this call.
     */
    public java.util.List<CrashHold> crashHolds(String hostId, String credential) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> r = send(get("api/v1/hosts/" + hostId + "/crash-holds", credential, REQUEST_TIMEOUT).build());
        return java.util.List.of(read(ok(r, "crash holds"), CrashHold[].class));
    }

    /** The module bytes of the artifact with this SHA-256 (the caller checks the hash). */
    public byte[] artifact(String credential, String sha256) throws ControlPlaneException, InterruptedException {
        HttpRequest req = get("api/v1/artifacts/" + sha256, credential, DOWNLOAD_TIMEOUT).build();
        HttpResponse<InputStream> r;
        try {
            r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unreachable(e);
        }
        try (InputStream in = r.body()) {
            byte[] body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, MAX_ARTIFACT_BYTES + 1));
            if (body.length > MAX_ARTIFACT_BYTES) {
                throw new ControlPlaneException(Kind.REJECTED, r.statusCode(), "artifact " + sha256 + " is larger than "
                        + MAX_ARTIFACT_BYTES + " bytes; refused unread", null);
            }
            ok(new Bytes(r.statusCode(), body, r.headers()), "download of artifact " + sha256);
            return body;
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    /** The manifest and signature the artifact was uploaded with, for the agent to verify. */
    public SignedManifest signedManifest(String credential, String sha256) throws ControlPlaneException, InterruptedException {
        HttpResponse<byte[]> r = send(get("api/v1/artifacts/" + sha256 + "/manifest", credential, REQUEST_TIMEOUT).build());
        return read(ok(r, "manifest of artifact " + sha256), SignedManifest.class);
    }

    private HttpRequest.Builder post(String path, String token, Object body, Duration timeout) throws ControlPlaneException {
        byte[] json;
        try {
            json = JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot render " + body.getClass().getSimpleName() + " as JSON", e);
        }
        return request(path, token, timeout).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(json));
    }

    private HttpRequest.Builder get(String path, String token, Duration timeout) {
        return request(path, token, timeout).GET();
    }

    private HttpRequest.Builder request(String path, String token, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(timeout);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest req) throws ControlPlaneException, InterruptedException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        }
    }

    private ControlPlaneException unreachable(IOException e) {
        // A certificate that is not the trusted one is a person's problem (or an attacker's), not the network's: say so.
        String why = e instanceof HttpTimeoutException ? "timed out"
                : e instanceof javax.net.ssl.SSLHandshakeException ? "TLS: server not trusted: " + e.getMessage()
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return new ControlPlaneException(Kind.UNREACHABLE, 0, "server " + base + " unreachable (" + why + ")", e);
    }

    private record Bytes(int status, byte[] body, java.net.http.HttpHeaders headers) {}

    private static byte[] ok(HttpResponse<byte[]> r, String what) throws ControlPlaneException {
        return ok(new Bytes(r.statusCode(), r.body(), r.headers()), what);
    }

    /** The body of a 2xx answer; any other status is a {@link ControlPlaneException} of {@link Kind#of its kind}. */
    private static byte[] ok(Bytes r, String what) throws ControlPlaneException {
        int s = r.status();
        if (s / 100 == 2) {
            return r.body();
        }
        String reason = errorLine(r.body());
        Kind kind = Kind.of(s);
        Duration retryAfter = RetryAfter.parse(r.headers().firstValue("Retry-After"), r.headers().firstValue("Date")).orElse(null);
        throw new ControlPlaneException(kind, s, what + " refused (HTTP " + s + "): " + reason
                + (retryAfter == null ? "" : "; retry after " + retryAfter.toSeconds() + " s"), null, retryAfter);
    }

    private static String errorLine(byte[] body) {
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                return n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: show the start of the text instead
        }
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8).strip();
        return text.isEmpty() ? "no reason given" : text.lines().findFirst().orElse("").substring(0, Math.min(200, text.lines().findFirst().orElse("").length()));
    }

    private static <T> T read(byte[] body, Class<T> type) throws ControlPlaneException {
        try {
            return JSON.readValue(body, type);
        } catch (IOException e) {
            throw new ControlPlaneException(Kind.SERVER, 200, "server sent an unreadable " + type.getSimpleName() + ": "
                    + e.getMessage().lines().findFirst().orElse(""), e);
        }
    }
}
