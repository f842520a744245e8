package dev.klpfleet.server.rollout.core;

import java.time.Duration;
import java.time.Instant;

/**
 * When a host whose transition stalled may try again: the plan's {@code stallRetryAfter} before the
 * second attempt, doubled before each later one (capped at {@link #MAX_DELAY}), stretched by a jitter
 * of up to half, so hosts that stalled in the same tick do not all retry in the same second.
 *
 * <p>The core stays pure: the jitter is a function the caller injects, not a random source read here.
 */
public final class StallRetry {
    /** No wait between attempts grows beyond this, however many attempts the plan allows. */
    public static final Duration MAX_DELAY = Duration.ofDays(1);

    private StallRetry() {}

    /** A fraction in [0, 1) for a host's attempt, stretching its wait by up to half. */
    @FunctionalInterface
    public interface Jitter {
        double fraction(String hostId, int attempt);

        /**
         * Spreads hosts by a hash of their id and attempt: the same for every step of the same state,
         * so a step computed again (another server, a lost race) decides the same instant.
         */
        Jitter HASHED = (hostId, attempt) -> {
            long h = new java.util.SplittableRandom(hostId.hashCode() * 31L + attempt).nextLong();
            return (h >>> 11) * 0x1.0p-53;
        };

        /** No jitter: waits exactly as the plan says (tests whose oracle is the plain doubling). */
        Jitter NONE = (hostId, attempt) -> 0.0;
    }

    /**
     * When attempt {@code next} (2 or more) of {@code hostId} may start, counted from {@code stalledAt},
     * when the server received the stall of the attempt before it.
     */
    public static Instant notBefore(Plan plan, String hostId, int next, Instant stalledAt, Jitter jitter) {
        return stalledAt.plus(delay(plan.stallRetryAfter(), next, jitter.fraction(hostId, next)));
    }

    static Duration delay(Duration first, int next, double jitter) {
        if (!(jitter >= 0 && jitter < 1)) {
            throw new IllegalArgumentException("jitter must be a fraction in [0, 1), got " + jitter);
        }
        Duration d = first;
        for (int i = 2; i < next && d.compareTo(MAX_DELAY) < 0; i++) {
            d = d.multipliedBy(2);
        }
        if (d.compareTo(MAX_DELAY) > 0) {
            d = MAX_DELAY;
        }
        return d.plusMillis((long) (d.toMillis() * jitter / 2));
    }
}
