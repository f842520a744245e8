package dev.klpfleet.server.rollout.core;

import java.time.Duration;
import java.util.Map;

/**
 * When a rollout must stop by itself, and what it then does.
 *
 * @param maxFailureRate    fraction (0..1) of finished hosts that may report refused/load-failed
 * @param maxStallRate      fraction (0..1) of finished hosts that may report a stalled transition
 * @param silenceAfterApply a host told to apply that is not seen for this long trips the gate
 * @param impactMax         evidence {@code impact} field name to the largest value allowed
 * @param action            what a tripped gate does
 */
public record Gates(double maxFailureRate, double maxStallRate, Duration silenceAfterApply,
                    Map<String, Double> impactMax, Action action) {

    public enum Action { PAUSE, ROLLBACK }

    public static Gates defaults() {
        return new Gates(0.0, 0.0, Duration.ofMinutes(10), Map.of(), Action.PAUSE);
    }

    String problem() {
        if (!(maxFailureRate >= 0 && maxFailureRate <= 1) || !(maxStallRate >= 0 && maxStallRate <= 1)) {
            return "gate rates must be fractions within 0..1";
        }
        if (silenceAfterApply == null || silenceAfterApply.isNegative() || silenceAfterApply.isZero()) {
            return "gates.silenceAfterApply must be positive";
        }
        if (action == null) {
            return "gates.action must be PAUSE or ROLLBACK";
        }
        return null;
    }
}
