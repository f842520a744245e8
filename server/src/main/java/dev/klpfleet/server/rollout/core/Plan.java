package dev.klpfleet.server.rollout.core;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * How a rollout moves: its ordered waves, how long each wave soaks once all its hosts
 * finished, how many hosts may be applying at once, and its gates. A field left out of a request
 * (null) takes its {@link #defaults()} value; the waves must be given.
 */
public record Plan(List<Wave> waves, Duration soak, Integer maxConcurrent, Gates gates, Integer stallAttempts,
                   Duration stallRetryAfter) {
    /** The longest soak per wave. */
    public static final Duration MAX_SOAK = Duration.ofDays(30);
    public static final Duration DEFAULT_SOAK = Duration.ofMinutes(30);
    public static final int DEFAULT_MAX_CONCURRENT = 50;
    /** The largest cap on hosts applying at once. */
    public static final int MAX_CONCURRENT = 100_000;
    /** The most waves a plan may have. */
    public static final int MAX_WAVES = 100;

    /**
     * One attempt: a stalled host is STALLED at once, as before attempts existed. More attempts only
     * help with agents that know them (they read {@code attempt} in their desired set).
     */
    public static final int DEFAULT_STALL_ATTEMPTS = 1;
    /** The most attempts a host gets. */
    public static final int MAX_STALL_ATTEMPTS = 20;
    /** The wait before a host's second attempt; doubled before each later one, with jitter (see {@link StallRetry}). */
    public static final Duration DEFAULT_STALL_RETRY_AFTER = Duration.ofMinutes(5);
    /** The longest first wait between attempts. */
    public static final Duration MAX_STALL_RETRY_AFTER = Duration.ofDays(1);

    /** A plan without retries of stalled transitions (one attempt per host). */
    public Plan(List<Wave> waves, Duration soak, Integer maxConcurrent, Gates gates) {
        this(waves, soak, maxConcurrent, gates, null, null);
    }

    public Plan {
        waves = waves == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(waves));
        soak = soak == null ? DEFAULT_SOAK : soak;
        maxConcurrent = maxConcurrent == null ? DEFAULT_MAX_CONCURRENT : maxConcurrent;
        gates = gates == null ? Gates.defaults() : gates;
        stallAttempts = stallAttempts == null ? DEFAULT_STALL_ATTEMPTS : stallAttempts;
        stallRetryAfter = stallRetryAfter == null ? DEFAULT_STALL_RETRY_AFTER : stallRetryAfter;
    }

    /** canary (1 host) -> 1% -> 10% -> 50% -> 100%, soaking 30 minutes, 50 at once, pause on any failure. */
    public static Plan defaults() {
        return new Plan(List.of(Wave.count("canary", 1), Wave.percent("1%", 1), Wave.percent("10%", 10),
                Wave.percent("50%", 50), Wave.percent("100%", 100)), DEFAULT_SOAK, DEFAULT_MAX_CONCURRENT, Gates.defaults());
    }

    /** A one-line reason the plan is unusable, or null if it is fine. */
    public String problem() {
        if (waves == null || waves.isEmpty() || waves.size() > MAX_WAVES) {
            return "a plan needs 1.." + MAX_WAVES + " waves";
        }
        Set<String> names = new HashSet<>();
        for (Wave w : waves) {
            if (w == null) {
                return "a wave is null";
            }
            String p = w.problem();
            if (p != null) {
                return p;
            }
            if (!names.add(w.name())) {
                return "two waves are named '" + w.name() + "'; wave names must be unique";
            }
        }
        if (soak.isNegative() || soak.compareTo(MAX_SOAK) > 0) {
            return "soak must be within 0.." + MAX_SOAK.toDays() + " days (got " + soak + ")";
        }
        if (maxConcurrent < 1 || maxConcurrent > MAX_CONCURRENT) {
            return "maxConcurrent must be within 1.." + MAX_CONCURRENT + " (got " + maxConcurrent + ")";
        }
        if (stallAttempts < 1 || stallAttempts > MAX_STALL_ATTEMPTS) {
            return "stallAttempts must be within 1.." + MAX_STALL_ATTEMPTS + " (got " + stallAttempts + ")";
        }
        if (stallRetryAfter.isNegative() || stallRetryAfter.compareTo(MAX_STALL_RETRY_AFTER) > 0) {
            return "stallRetryAfter must be within PT0S.." + MAX_STALL_RETRY_AFTER + " (got " + stallRetryAfter + ")";
        }
        return gates.problem();
    }
}
