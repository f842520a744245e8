package dev.klpfleet.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

class RequeueTest {
    /** A jitter source pinned at one end of its range. */
    static RandomGenerator fixed(double value) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                return 0;
            }

            @Override
            public double nextDouble() {
                return value;
            }
        };
    }

    static final Duration MINUTE = Duration.ofSeconds(60);

    @Test
    void afterAStepTheNextPassRunsAtOnce() {
        assertThat(Requeue.after(Requeue.Outcome.STEPPED, MINUTE, 0, fixed(0.9))).isZero();
    }

    @Test
    void anIdlePassComesBackAfterTheIntervalWithinTenPercentEitherWay() {
        assertThat(Requeue.after(Requeue.Outcome.IDLE, MINUTE, 0, fixed(0.0))).isEqualTo(Duration.ofSeconds(54));
        assertThat(Requeue.after(Requeue.Outcome.IDLE, MINUTE, 0, fixed(0.5))).isEqualTo(MINUTE);
        assertThat(Requeue.after(Requeue.Outcome.IDLE, MINUTE, 0, fixed(1.0))).isEqualTo(Duration.ofSeconds(66));
    }

    @Test
    void aServerIntervalOutsideTheBoundsIsClamped() {
        assertThat(Requeue.after(Requeue.Outcome.IDLE, Duration.ZERO, 0, fixed(0.5))).isEqualTo(Requeue.MIN_INTERVAL);
        assertThat(Requeue.after(Requeue.Outcome.IDLE, Duration.ofDays(3), 0, fixed(1.0))).isEqualTo(Requeue.MAX_INTERVAL);
    }

    @Test
    void errorsBackOffExponentiallyWithJitterUpToTheBound() {
        assertThat(Requeue.after(Requeue.Outcome.FAILED, MINUTE, 1, fixed(1.0))).isEqualTo(Duration.ofSeconds(2));
        assertThat(Requeue.after(Requeue.Outcome.FAILED, MINUTE, 1, fixed(0.0))).isEqualTo(Duration.ofSeconds(1));
        assertThat(Requeue.after(Requeue.Outcome.FAILED, MINUTE, 4, fixed(1.0))).isEqualTo(Duration.ofSeconds(16));
        assertThat(Requeue.after(Requeue.Outcome.FAILED, MINUTE, 1000, fixed(1.0))).isEqualTo(Requeue.MAX_BACKOFF);
        assertThat(Requeue.after(Requeue.Outcome.FAILED, MINUTE, 1000, fixed(0.0))).isEqualTo(Requeue.MAX_BACKOFF.dividedBy(2));
    }

    @Test
    void aRunningTransitionIsLookedAtAgainSoon() {
        assertThat(Requeue.after(Requeue.Outcome.WAITING, MINUTE, 0, fixed(0.5))).isEqualTo(Requeue.TRANSITION_RECHECK);
    }
}
