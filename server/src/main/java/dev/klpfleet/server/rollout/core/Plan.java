package dev.klpfleet.server.rollout.core;

import java.time.Duration;
import java.util.List;

/**
 * How a rollout moves: its ordered waves, how long each wave soaks once all its hosts
 * finished, how many hosts may be applying at once, and its gates.
 */
public record Plan(List<Wave> waves, Duration soak, int maxConcurrent, Gates gates) {

    /** canary (1 host) -> 1% -> 10% -> 50% -> 100%, soaking 30 minutes, 50 at once, pause on any failure. */
    public static Plan defaults() {
        return new Plan(List.of(Wave.count("canary", 1), Wave.percent("1%", 1), Wave.percent("10%", 10),
                Wave.percent("50%", 50), Wave.percent("100%", 100)), Duration.ofMinutes(30), 50, Gates.defaults());
    }

    /** A one-line reason the plan is unusable, or null if it is fine. */
    public String problem() {
        if (waves == null || waves.isEmpty()) {
            return "a plan needs at least one wave";
        }
        for (Wave w : waves) {
            String p = w.problem();
            if (p != null) {
                return p;
            }
        }
        if (soak == null || soak.isNegative()) {
            return "soak must be zero or positive";
        }
        if (maxConcurrent < 1) {
            return "maxConcurrent must be at least 1";
        }
        return gates == null ? "a plan needs gates" : gates.problem();
    }
}
