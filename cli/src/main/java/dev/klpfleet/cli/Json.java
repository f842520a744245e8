package dev.klpfleet.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.WireJson;

/** The CLI's JSON: klpfleet's wire conventions ({@link WireJson}), shared with the agent's events. */
public final class Json {
    private Json() {}

    public static ObjectMapper mapper() {
        return WireJson.mapper();
    }
}
