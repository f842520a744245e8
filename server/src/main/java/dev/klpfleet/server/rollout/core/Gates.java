package dev.klpfleet.server.rollout.core;

import dev.klpfleet.protocol.fleet.ImpactPaths;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * When a rollout must stop by itself, and what it then does. A field left out of a request (null)
 * takes its {@link #defaults()} value, so a stored plan is always complete.
 *
 * @param maxFailureRate    fraction (0..1) of finished hosts that may report a failure (refused,
 *                          load-failed, disable-failed, rmmod-failed, or a result the server does not know)
 * @param maxStallRate      fraction (0..1) of finished hosts that may report a stalled transition
 * @param silenceAfterApply a host told to apply that is not seen for this long trips the gate
 * @param impactMax         dotted path under the evidence's {@code impact} object
 *                          ({@code insmod.ksoftirqdMaxDelayNanos}, one of {@link ImpactPaths#ALL}) to the largest value allowed
 * @param action            what a tripped gate does
 */
public record Gates(Double maxFailureRate, Double maxStallRate, Duration silenceAfterApply,
                    Map<String, Double> impactMax, Action action) {

    public enum Action { PAUSE, ROLLBACK }

    /** The longest silence a gate may tolerate: beyond it the gate would never fire in practice. */
    public static final Duration MAX_SILENCE = Duration.ofDays(30);
    public static final Duration DEFAULT_SILENCE = Duration.ofMinutes(10);

    public Gates {
        maxFailureRate = maxFailureRate == null ? 0.0 : maxFailureRate;
        maxStallRate = maxStallRate == null ? 0.0 : maxStallRate;
        silenceAfterApply = silenceAfterApply == null ? DEFAULT_SILENCE : silenceAfterApply;
        // A sorted copy keeps the stored JSON stable; null limits are kept for problem() to refuse.
        impactMax = impactMax == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(impactMax));
        action = action == null ? Action.PAUSE : action;
    }

    public static Gates defaults() {
        return new Gates(0.0, 0.0, DEFAULT_SILENCE, Map.of(), Action.PAUSE);
    }

    String problem() {
        if (!(maxFailureRate >= 0 && maxFailureRate <= 1)) {
            return "gates.maxFailureRate must be a fraction within 0..1";
        }
        if (!(maxStallRate >= 0 && maxStallRate <= 1)) {
            return "gates.maxStallRate must be a fraction within 0..1";
        }
        if (silenceAfterApply.isNegative() || silenceAfterApply.isZero() || silenceAfterApply.compareTo(MAX_SILENCE) > 0) {
            return "gates.silenceAfterApply must be positive and at most " + MAX_SILENCE.toDays() + " days (got " + silenceAfterApply + ")";
        }
        for (Map.Entry<String, Double> e : impactMax.entrySet()) {
            if (!ImpactPaths.valid(e.getKey())) {
                return "gates.impactMax: unknown impact field '" + e.getKey() + "'; valid fields: " + String.join(", ", ImpactPaths.ALL);
            }
            if (e.getValue() == null || !Double.isFinite(e.getValue()) || e.getValue() < 0) {
                return "gates.impactMax: " + e.getKey() + " needs a finite limit >= 0";
            }
        }
        return null;
    }
}
