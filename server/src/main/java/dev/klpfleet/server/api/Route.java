package dev.klpfleet.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * One API operation: method and path pattern ({@code {name}} segments are parameters), who may
 * call it, the largest body it accepts, a one-line summary for the OpenAPI document, and its handler.
 */
public record Route(String method, String path, Access access, int maxBody, String summary, Function<Call, Reply> handler) {

    /** Bodies of ordinary JSON requests are capped here. */
    public static final int SMALL_BODY = 256 * 1024;

    String[] segments() {
        return path.substring(1).split("/", -1);
    }

    /** Names of the path parameters, in order. */
    public List<String> parameters() {
        List<String> out = new ArrayList<>();
        for (String s : segments()) {
            if (s.startsWith("{")) {
                out.add(s.substring(1, s.length() - 1));
            }
        }
        return out;
    }
}
