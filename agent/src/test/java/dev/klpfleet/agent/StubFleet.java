package dev.klpfleet.agent;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A stand-in control plane on a loopback port (JDK HttpServer): it answers check-ins with an empty
 * desired set and events with whatever the test scripted (then 201, or 409 for an id it already
 * recorded, as the real server does), and keeps every request body it got.
 */
final class StubFleet implements AutoCloseable {
    /** One scripted answer to an event. */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer of(int status) {
            return new Answer(status, Map.of(), "{\"error\":\"scripted " + status + "\"}");
        }
    }

    final HttpServer http;
    final Deque<Answer> eventAnswers = new ConcurrentLinkedDeque<>();
    final List<String> eventBodies = Collections.synchronizedList(new ArrayList<>());
    final List<String> checkinBodies = Collections.synchronizedList(new ArrayList<>());
    final Map<String, byte[]> artifacts = new java.util.concurrent.ConcurrentHashMap<>();
    final List<String> artifactDownloads = Collections.synchronizedList(new ArrayList<>());
    volatile String desiredJson = "[]";
    volatile String manifestJson = "{}";
    /** The answer to {@code GET /api/v1/hosts/ID/crash-holds}. */
    volatile String crashHoldsJson = "[]";
    final List<String> crashHoldRequests = Collections.synchronizedList(new ArrayList<>());
    private final Set<String> recorded = Collections.synchronizedSet(new HashSet<>());

    StubFleet() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/api/v1/hosts/", this::host);
        http.createContext("/api/v1/artifacts/", this::artifact);
        http.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/");
    }

    /** The event ids the stub recorded (answered 201). */
    Set<String> recorded() {
        return Set.copyOf(recorded);
    }

    private void host(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String path = x.getRequestURI().getPath();
        if (path.endsWith("/checkin")) {
            checkinBodies.add(body);
            x.getResponseHeaders().add("ETag", "\"e1\"");
            send(x, 200, "{\"hostId\":\"h_1\",\"desired\":" + desiredJson + ",\"checkinIntervalSeconds\":60}");
            return;
        }
        if (path.endsWith("/crash-holds")) {
            crashHoldRequests.add(path);
            send(x, 200, crashHoldsJson);
            return;
        }
        eventBodies.add(body);
        Answer a = eventAnswers.poll();
        if (a != null) {
            a.headers().forEach((k, v) -> x.getResponseHeaders().add(k, v));
            send(x, a.status(), a.body());
            return;
        }
        String id = dev.klpfleet.protocol.WireJson.mapper().readTree(body).path("eventId").asText();
        if (!recorded.add(id)) {
            send(x, 409, "{\"error\":\"event " + id + " of this host is already recorded\"}");
            return;
        }
        send(x, 201, "{\"recorded\":\"" + id + "\"}");
    }

    private void artifact(HttpExchange x) throws IOException {
        String path = x.getRequestURI().getPath();
        if (path.endsWith("/manifest")) {
            send(x, 200, manifestJson);
            return;
        }
        String sha = path.substring(path.lastIndexOf('/') + 1);
        artifactDownloads.add(sha);
        byte[] b = artifacts.get(sha);
        if (b == null) {
            send(x, 404, "{\"error\":\"no artifact\"}");
            return;
        }
        x.sendResponseHeaders(200, b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }

    private static void send(HttpExchange x, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        x.sendResponseHeaders(status, b.length == 0 ? -1 : b.length);
        try (OutputStream o = x.getResponseBody()) {
            o.write(b);
        }
    }

    @Override
    public void close() {
        http.stop(0);
    }
}
