package dev.klpfleet.server.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The bucket arithmetic the impact percentiles rely on: every value in exactly one bucket, none wider than 1/64. */
class ImpactHistogramTest {

    @Property
    void every_value_lies_in_its_bucket_and_no_bucket_is_wider_than_a_sixty_fourth_of_its_lower_bound(@ForAll @LongRange(min = 0) long v) {
        int b = ImpactHistogram.bucket(v);
        long lo = ImpactHistogram.lowerBound(b);
        long hi = ImpactHistogram.upperBound(b);
        assertThat(v).isBetween(lo, hi);
        assertThat(hi - lo).isLessThanOrEqualTo(lo / 64);
    }

    @Property
    void buckets_follow_the_order_of_values(@ForAll @LongRange(min = 0) long a, @ForAll @LongRange(min = 0) long b) {
        if (a <= b) {
            assertThat(ImpactHistogram.bucket(a)).isLessThanOrEqualTo(ImpactHistogram.bucket(b));
        }
    }

    @Test
    void buckets_tile_the_whole_range_without_gaps_or_overlaps() {
        assertThat(ImpactHistogram.lowerBound(0)).isZero();
        int last = ImpactHistogram.bucket(Long.MAX_VALUE);
        for (int b = 0; b < last; b++) {
            assertThat(ImpactHistogram.lowerBound(b + 1)).as("bucket %d", b + 1).isEqualTo(ImpactHistogram.upperBound(b) + 1);
        }
        assertThat(ImpactHistogram.upperBound(last)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void values_below_128_are_counted_exactly() {
        for (long v = 0; v < 128; v++) {
            int b = ImpactHistogram.bucket(v);
            assertThat(ImpactHistogram.lowerBound(b)).isEqualTo(v);
            assertThat(ImpactHistogram.upperBound(b)).isEqualTo(v);
        }
        assertThat(ImpactHistogram.bucket(128)).isEqualTo(128);
        assertThat(ImpactHistogram.upperBound(ImpactHistogram.bucket(128))).isEqualTo(129);
    }
}
