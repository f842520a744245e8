package dev.klpfleet.server.api;

import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.host.FleetJson;
import java.io.IOException;
import java.util.Map;

/** One authenticated request as a route sees it: path parameters, query, caller, body. */
public record Call(Map<String, String> params, Map<String, String> query, Principal principal, byte[] body, String ifNoneMatch) {

    public String param(String name) {
        return params.get(name);
    }

    /** The operator calling, for routes whose access is an operator role. */
    public Principal.Operator operator() {
        return (Principal.Operator) principal;
    }

    /**
     * The body of an operator request as {@code type}; an unknown field is refused (an ignored one
     * would silently change what the operator asked for).
     *
     * @throws BadRequest with the parser's one-line reason
     */
    public <T> T json(Class<T> type) {
        return json(type, FleetJson.strictReader(type));
    }

    /**
     * The body of a host's request as {@code type}; fields a newer agent adds are ignored, wrong
     * types still refused (the wire rule in docs/CLI.md).
     *
     * @throws BadRequest with the parser's one-line reason
     */
    public <T> T wire(Class<T> type) {
        return json(type, FleetJson.reader(type));
    }

    private <T> T json(Class<T> type, com.fasterxml.jackson.databind.ObjectReader reader) {
        if (body.length == 0) {
            throw new BadRequest("request body is empty; expected a JSON " + type.getSimpleName());
        }
        try {
            T v = reader.readValue(body);
            if (v == null) {
                throw new BadRequest("request body is null; expected a JSON " + type.getSimpleName());
            }
            return v;
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            String field = e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()
                    ? " (field " + m.getPath().stream().map(r -> r.getFieldName() != null ? r.getFieldName() : String.valueOf(r.getIndex()))
                            .collect(java.util.stream.Collectors.joining(".")) + ")" : "";
            throw new BadRequest("malformed JSON " + type.getSimpleName() + field + ": " + msg.lines().findFirst().orElse(""));
        }
    }

    /** A client error a route found; becomes HTTP 400 with this message. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
