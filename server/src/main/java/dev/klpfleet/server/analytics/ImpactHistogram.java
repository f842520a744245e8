package dev.klpfleet.server.analytics;

/**
 * The buckets the impact percentiles are kept in as facts arrive, so a report reads a few hundred
 * counters per group instead of ranking a million rows. Log-linear, like HdrHistogram: every value
 * below {@value #EXACT} has a bucket of its own; above, each power of two is cut into
 * {@value #SUB_BUCKETS} equal buckets, so a bucket is never wider than 1/64 of its lower bound.
 * A percentile read from a bucket is its upper bound clamped to the group's exact maximum: never
 * below the true nearest-rank value and at most 1/64 (1.6 %) above it.
 */
public final class ImpactHistogram {
    /** Values below this are counted exactly, one bucket each. */
    static final long EXACT = 128;
    /** Buckets per power of two above {@link #EXACT}. */
    static final int SUB_BUCKETS = 64;
    private static final int SUB_BITS = 6;
    private static final int EXACT_BITS = 7;

    private ImpactHistogram() {}

    /** The bucket of a non-negative value. */
    public static int bucket(long v) {
        if (v < 0) {
            throw new IllegalArgumentException("impact figures are never negative: " + v);
        }
        if (v < EXACT) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int shift = exponent - SUB_BITS;
        long mantissa = v >>> shift;
        return (int) (EXACT + (long) (exponent - EXACT_BITS) * SUB_BUCKETS + (mantissa - SUB_BUCKETS));
    }

    /** The smallest value in {@code bucket}. */
    public static long lowerBound(int bucket) {
        if (bucket < EXACT) {
            return bucket;
        }
        int exponent = (int) ((bucket - EXACT) / SUB_BUCKETS) + EXACT_BITS;
        long mantissa = (bucket - EXACT) % SUB_BUCKETS + SUB_BUCKETS;
        return mantissa << (exponent - SUB_BITS);
    }

    /** The largest value in {@code bucket}. */
    public static long upperBound(int bucket) {
        if (bucket < EXACT) {
            return bucket;
        }
        int exponent = (int) ((bucket - EXACT) / SUB_BUCKETS) + EXACT_BITS;
        long mantissa = (bucket - EXACT) % SUB_BUCKETS + SUB_BUCKETS;
        // The top bucket's bound is Long.MAX_VALUE; (128 << 56) - 1 would only reach it by overflow.
        return exponent == 62 && mantissa == 2 * SUB_BUCKETS - 1 ? Long.MAX_VALUE : ((mantissa + 1) << (exponent - SUB_BITS)) - 1;
    }
}
