package dev.klpfleet.server.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.host.FleetJson;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A thin blocking client of the API over HTTP/1.1, used by the CLI, the benchmark and tests. */
public final class FleetClient {
    /** How long one request may take before it fails. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    private final HttpClient http;
    private final URI base;
    private final String token;

    public FleetClient(URI base, String token) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build(), base, token);
    }

    /** A client trusting only what {@code trust} says for {@code https://}; refuses {@code http://} to anything but loopback. */
    public FleetClient(URI base, String token, dev.klpfleet.protocol.transport.ServerTrust trust) {
        this(HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10))
                .sslContext(trust.sslContext()).build(), dev.klpfleet.protocol.transport.ServerTrust.checkUrl(base), token);
    }

    public FleetClient(HttpClient http, URI base, String token) {
        this.http = http;
        this.base = base;
        this.token = token;
    }

    /** The server this client talks to. */
    /** The HTTP client this uses, to share its connections with another {@code FleetClient}. */
    public HttpClient http() {
        return http;
    }

    public URI base() {
        return base;
    }

    /** A response: status, body text, ETag header if any, and the next page's cursor of a list if there is one. */
    public record Answer(int status, String body, String etag, String nextCursor) {
        public Answer(int status, String body, String etag) {
            this(status, body, etag, null);
        }

        public boolean ok() {
            return status / 100 == 2;
        }

        public JsonNode json() {
            try {
                return FleetJson.mapper().readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("server sent malformed JSON: " + e.getMessage(), e);
            }
        }

        public <T> T as(Class<T> type) {
            try {
                return FleetJson.mapper().readValue(body, type);
            } catch (IOException e) {
                throw new IllegalStateException("server sent unexpected JSON for " + type.getSimpleName() + ": " + e.getMessage(), e);
            }
        }

        /** The one-line reason of an error answer. */
        public String error() {
            try {
                return json().path("error").asText(body);
            } catch (IllegalStateException e) {
                return body;
            }
        }
    }

    public Answer get(String path) throws IOException, InterruptedException {
        return send(request(path).GET().build());
    }

    public Answer post(String path, Object body) throws IOException, InterruptedException {
        return postRaw(path, body == null ? "" : FleetJson.write(body), null);
    }

    /** POSTs a literal body, with {@code If-None-Match} if {@code etag} is not null. */
    public Answer postRaw(String path, String body, String etag) throws IOException, InterruptedException {
        HttpRequest.Builder b = request(path).header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (etag != null) {
            b.header("If-None-Match", etag);
        }
        return send(b.build());
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder b = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return b;
    }

    private Answer send(HttpRequest req) throws IOException, InterruptedException {
        HttpResponse<String> resp = http.send(req, HttpResponse.BodyHandlers.ofString());
        return new Answer(resp.statusCode(), resp.body(), resp.headers().firstValue("ETag").orElse(null),
                resp.headers().firstValue(Page.NEXT_CURSOR).orElse(null));
    }
}
