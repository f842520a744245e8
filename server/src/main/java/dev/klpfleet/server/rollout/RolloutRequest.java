package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Plan;
import java.util.List;
import java.util.Map;

/**
 * An operator's request to roll a patch version out.
 *
 * @param selector which hosts: all not revoked whose binding labels contain every pair of {@code labels}, whose host-claimed
 *                 labels contain every pair of {@code hostLabels} (only if the operator asks: a host chooses those itself)
 *                 and, if any are listed, whose kernel release is listed
 * @param plan     waves, soak, cap and gates; null for {@link Plan#defaults()}; fields left out take their defaults
 */
public record RolloutRequest(String patch, String version, Selector selector, Plan plan) {
    public record Selector(Map<String, String> labels, Map<String, String> hostLabels, List<String> kernelReleases) {
        public static final Selector ALL = new Selector(Map.of(), Map.of(), List.of());
    }

    /** Why the request cannot start a rollout, in one line (the API's 400), or null. */
    public String problem() {
        if (blank(patch) || blank(version)) {
            return "patch and version are required";
        }
        if (selector != null) {
            if (selector.labels() != null && selector.labels().entrySet().stream().anyMatch(e -> blank(e.getKey()) || e.getValue() == null)) {
                return "selector.labels: every label needs a key and a value";
            }
            if (selector.hostLabels() != null && selector.hostLabels().entrySet().stream().anyMatch(e -> blank(e.getKey()) || e.getValue() == null)) {
                return "selector.hostLabels: every label needs a key and a value";
            }
            if (selector.kernelReleases() != null && selector.kernelReleases().stream().anyMatch(RolloutRequest::blank)) {
                return "selector.kernelReleases: a kernel release is blank";
            }
        }
        String p = plan == null ? null : plan.problem();
        return p == null ? null : "plan: " + p;
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
