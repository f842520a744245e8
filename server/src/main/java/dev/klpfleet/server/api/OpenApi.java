package dev.klpfleet.server.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The OpenAPI 3 document of the API, generated from the same route table the server serves. */
public final class OpenApi {
    private OpenApi() {}

    public static Map<String, Object> document(List<Route> routes, String version) {
        Map<String, Object> paths = new LinkedHashMap<>();
        for (Route r : routes) {
            @SuppressWarnings("unchecked")
            Map<String, Object> item = (Map<String, Object>) paths.computeIfAbsent(r.path(), p -> new LinkedHashMap<>());
            Map<String, Object> op = new LinkedHashMap<>();
            op.put("summary", r.summary());
            op.put("operationId", r.method().toLowerCase() + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
            List<Object> params = new ArrayList<>();
            for (String p : r.parameters()) {
                params.add(Map.of("name", p, "in", "path", "required", true, "schema", Map.of("type", "string")));
            }
            if (!params.isEmpty()) {
                op.put("parameters", params);
            }
            op.put("x-klpfleet-access", r.access().name().toLowerCase());
            op.put("security", r.access() == Access.PUBLIC ? List.of() : List.of(Map.of("bearer", List.of())));
            if (r.method().equals("POST") || r.method().equals("PUT")) {
                op.put("requestBody", Map.of("content", Map.of("application/json", Map.of("schema", Map.of("type", "object"))),
                        "description", "at most " + r.maxBody() + " bytes"));
            }
            Map<String, Object> responses = new LinkedHashMap<>();
            responses.put("200", Map.of("description", "success"));
            responses.put("4XX", Map.of("description", "one-line reason", "content",
                    Map.of("application/json", Map.of("schema", Map.of("$ref", "#/components/schemas/ApiError")))));
            op.put("responses", responses);
            item.put(r.method().toLowerCase(), op);
            if (r.method().equals("GET")) {
                // The server answers HEAD wherever it answers GET (ApiHandler): same status and headers, no body.
                Map<String, Object> head = new LinkedHashMap<>(op);
                head.put("summary", r.summary() + " (headers only)");
                head.put("operationId", "head" + r.path().replaceAll("[^A-Za-z0-9]+", "_"));
                Map<String, Object> headResponses = new LinkedHashMap<>();
                headResponses.put("200", Map.of("description", "the GET's status and headers, no body"));
                headResponses.put("4XX", Map.of("description", "the GET's error status, no body"));
                head.put("responses", headResponses);
                item.put("head", head);
            }
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("openapi", "3.0.3");
        doc.put("info", Map.of("title", "klpfleet control plane", "version", version));
        doc.put("paths", paths);
        doc.put("components", Map.of(
                "securitySchemes", Map.of("bearer", Map.of("type", "http", "scheme", "bearer")),
                "schemas", Map.of("ApiError", Map.of("type", "object", "properties", Map.of("error", Map.of("type", "string"))))));
        return doc;
    }
}
