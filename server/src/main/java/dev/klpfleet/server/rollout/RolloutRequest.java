package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Plan;
import java.util.List;
import java.util.Map;

/**
 * An operator's request to roll a patch version out.
 *
 * @param selector which hosts: all whose labels contain every pair and, if any are listed, whose kernel release is listed
 * @param plan     waves, soak, cap and gates; null for {@link Plan#defaults()}
 */
public record RolloutRequest(String patch, String version, Selector selector, Plan plan) {
    public record Selector(Map<String, String> labels, List<String> kernelReleases) {
        public static final Selector ALL = new Selector(Map.of(), List.of());
    }
}
