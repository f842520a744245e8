package dev.klpfleet.agent.reconcile;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * When the next pass runs: every requeue rule of the agent, in one place. Jitter spreads a fleet's
 * check-ins so that a server restart or a network blip is not followed by a thundering herd.
 */
public final class Requeue {
    /** Bounds on the server's {@code checkinIntervalSeconds}, so a misconfigured server can neither hammer nor abandon us. */
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);
    public static final Duration MAX_INTERVAL = Duration.ofHours(1);
    /** Used until the server has said otherwise. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(60);
    /** How far a periodic check-in is moved, as a fraction of the interval, either way. */
    public static final double INTERVAL_JITTER = 0.1;
    /** How soon to look again while a transition runs (the kernel retries blocked tasks every second). */
    public static final Duration TRANSITION_RECHECK = Duration.ofSeconds(5);
    /** First wait after an error; doubled for each further consecutive error. */
    public static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    /** The longest wait after errors, however many there were. */
    public static final Duration MAX_BACKOFF = Duration.ofMinutes(5);

    private Requeue() {}

    /** How a pass ended, as far as requeueing cares. */
    public enum Outcome {
        /** A step was taken: look again at once, the next step may be ready. */
        STEPPED,
        /** Nothing to do (the desired set unchanged, 304, or matched): come back after the check-in interval. */
        IDLE,
        /** A transition runs: come back soon. */
        WAITING,
        /** The pass failed (server unreachable, I/O error): back off. */
        FAILED;

        /** The wire form: lower case, e.g. {@code idle}. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * @param interval          the server's check-in interval (clamped to {@link #MIN_INTERVAL}..{@link #MAX_INTERVAL})
     * @param consecutiveErrors failed passes in a row including this one; only read for {@link Outcome#FAILED}
     * @param random            jitter source
     * @return how long to wait before the next pass; never negative, never above {@link #MAX_INTERVAL}
     */
    public static Duration after(Outcome outcome, Duration interval, int consecutiveErrors, RandomGenerator random) {
        return switch (outcome) {
            case STEPPED -> Duration.ZERO;
            case WAITING -> TRANSITION_RECHECK;
            case IDLE -> {
                Duration base = clamp(interval, MIN_INTERVAL, MAX_INTERVAL);
                double factor = 1 + INTERVAL_JITTER * (2 * random.nextDouble() - 1);
                yield clamp(Duration.ofMillis(Math.round(base.toMillis() * factor)), MIN_INTERVAL, MAX_INTERVAL);
            }
            case FAILED -> {
                int doublings = Math.min(Math.max(consecutiveErrors, 1) - 1, 20);
                Duration cap = clamp(FIRST_BACKOFF.multipliedBy(1L << doublings), FIRST_BACKOFF, MAX_BACKOFF);
                // "Equal jitter": at least half the backoff, so retries never collapse to zero.
                yield Duration.ofMillis(cap.toMillis() / 2 + Math.round(random.nextDouble() * (cap.toMillis() / 2.0)));
            }
        };
    }

    /**
     * After a failed pass whose server said {@code Retry-After}: the longer of our own backoff and
     * what it asked for (already bounded by the control plane), so a server can slow us down but
     * never make us hammer it.
     */
    public static Duration afterFailure(int consecutiveErrors, java.util.Optional<Duration> retryAfter, RandomGenerator random) {
        Duration backoff = after(Outcome.FAILED, DEFAULT_INTERVAL, consecutiveErrors, random);
        return retryAfter.filter(r -> r.compareTo(backoff) > 0).orElse(backoff);
    }

    private static Duration clamp(Duration d, Duration min, Duration max) {
        return d.compareTo(min) < 0 ? min : d.compareTo(max) > 0 ? max : d;
    }
}
