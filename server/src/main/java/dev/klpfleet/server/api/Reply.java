package dev.klpfleet.server.api;

import java.util.Map;

/** What a route answers. */
public sealed interface Reply {
    int status();

    /** A JSON document rendered from {@code body}. */
    record Json(int status, Object body, Map<String, String> headers) implements Reply {}

    /** Bytes as they are, e.g. a cached rendering or a module file. */
    record Bytes(int status, String contentType, byte[] body, Map<String, String> headers) implements Reply {}

    /** A 4xx/5xx with a one-line reason. */
    record Error(int status, String reason) implements Reply {}

    static Reply ok(Object body) {
        return new Json(200, body, Map.of());
    }

    static Reply created(Object body) {
        return new Json(201, body, Map.of());
    }

    static Reply error(int status, String reason) {
        return new Error(status, reason);
    }
}
