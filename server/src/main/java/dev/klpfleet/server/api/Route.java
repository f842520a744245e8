package dev.klpfleet.server.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * One API operation: method and path pattern ({@code {name}} segments are parameters), who may
 * call it, the largest body it accepts, a one-line summary for the OpenAPI document, and its handler.
 */
public record Route(String method, String path, Access access, int maxBody, String summary, Function<Call, Reply> handler) {

    /** Bodies of ordinary JSON requests are capped here. */
    public static final int SMALL_BODY = 256 * 1024;

    /** Path parameters if {@code requestPath} matches this route's pattern, else null. */
    public Map<String, String> match(String[] requestSegments) {
        String[] pattern = segments();
        if (pattern.length != requestSegments.length) {
            return null;
        }
        Map<String, String> params = null;
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{")) {
                if (requestSegments[i].isEmpty()) {
                    return null;
                }
                if (params == null) {
                    params = new java.util.HashMap<>(2);
                }
                params.put(p.substring(1, p.length() - 1), requestSegments[i]);
            } else if (!p.equals(requestSegments[i])) {
                return null;
            }
        }
        return params == null ? Map.of() : params;
    }

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
