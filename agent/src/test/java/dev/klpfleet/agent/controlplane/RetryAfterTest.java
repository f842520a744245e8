package dev.klpfleet.agent.controlplane;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RetryAfterTest {
    @Test
    void secondsAreTakenAsGivenAndBoundedEitherWay() {
        assertThat(RetryAfter.parse(Optional.of("120"), Optional.empty())).contains(Duration.ofSeconds(120));
        assertThat(RetryAfter.parse(Optional.of(" 0 "), Optional.empty())).contains(Duration.ZERO);
        assertThat(RetryAfter.parse(Optional.of("99999999999999999999"), Optional.empty())).contains(RetryAfter.MAX);
    }

    @Test
    void aDateIsReadAgainstTheAnswersOwnDateNotOurClock() {
        assertThat(RetryAfter.parse(Optional.of("Wed, 21 Oct 2015 07:28:30 GMT"), Optional.of("Wed, 21 Oct 2015 07:28:00 GMT")))
                .contains(Duration.ofSeconds(30));
        assertThat(RetryAfter.parse(Optional.of("Wed, 21 Oct 2015 07:27:00 GMT"), Optional.of("Wed, 21 Oct 2015 07:28:00 GMT")))
                .as("a date in the past: now").contains(Duration.ZERO);
        assertThat(RetryAfter.parse(Optional.of("Wed, 21 Oct 2015 07:28:30 GMT"), Optional.empty())).as("no Date to read it against").isEmpty();
    }

    @Test
    void absentOrGarbageIsNoAdvice() {
        assertThat(RetryAfter.parse(Optional.empty(), Optional.empty())).isEmpty();
        assertThat(RetryAfter.parse(Optional.of("soon"), Optional.of("Wed, 21 Oct 2015 07:28:00 GMT"))).isEmpty();
        assertThat(RetryAfter.parse(Optional.of("-5"), Optional.empty())).isEmpty();
    }

    @Test
    void everyStatusHasAKindAndOnlyTerminalRejectionsAreNotRetried() {
        for (int s : new int[] {400, 413, 422}) {
            assertThat(ControlPlaneException.Kind.of(s).retryable()).as("HTTP " + s).isFalse();
        }
        for (int s : new int[] {301, 401, 403, 404, 405, 408, 415, 429, 500, 502, 503, 504}) {
            assertThat(ControlPlaneException.Kind.of(s).retryable()).as("HTTP " + s).isTrue();
        }
        assertThat(ControlPlaneException.Kind.of(429)).isEqualTo(ControlPlaneException.Kind.THROTTLED);
        assertThat(ControlPlaneException.Kind.of(408)).isEqualTo(ControlPlaneException.Kind.THROTTLED);
        assertThat(ControlPlaneException.Kind.of(503)).isEqualTo(ControlPlaneException.Kind.SERVER);
    }
}
