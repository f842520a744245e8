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
     * The body as {@code type}.
     *
     * @throws BadRequest with the parser's one-line reason
     */
    public <T> T json(Class<T> type) {
        if (body.length == 0) {
            throw new BadRequest("request body is empty; expected a JSON " + type.getSimpleName());
        }
        try {
            T v = FleetJson.reader(type).readValue(body);
            if (v == null) {
                throw new BadRequest("request body is null; expected a JSON " + type.getSimpleName());
            }
            return v;
        } catch (IOException e) {
            String msg = e instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
            throw new BadRequest("malformed JSON " + type.getSimpleName() + ": " + msg.lines().findFirst().orElse(""));
        }
    }

    /** A client error a route found; becomes HTTP 400 with this message. */
    public static final class BadRequest extends RuntimeException {
        public BadRequest(String message) {
            super(message, null, false, false);
        }
    }
}
