package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.StallRetry;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Targeting;
import dev.klpfleet.server.rollout.core.Wave;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries of stalled transitions in the plan: a host whose transition stalled and was reversed is
 * RETRYING while it has attempts left, holds its concurrency slot, and is not held against the stall
 * gate; only a host whose attempts are exhausted is STALLED. The stalls are the ones real kernels
 * produced (the recorded {@code stalled-reverted} documents).
 */
class RolloutRetryTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    /** Stall gate at 0: one stall counted against it halts the rollout. */
    static final Gates STRICT = new Gates(0.0, 0.0, Duration.ofHours(2), Map.of(), Gates.Action.PAUSE);

    static Plan plan(int attempts, Duration retryAfter) {
        return new Plan(List.of(Wave.count("all", 2)), Duration.ZERO, 1, STRICT, attempts, retryAfter);
    }

    static RolloutState start(Plan plan) {
        List<Targeting.Target> targets = List.of(new Targeting.Target("h1", Map.of(), true), new Targeting.Target("h2", Map.of(), true));
        return step(Targeting.initial("r1", plan, targets, T0), Map.of(), T0).state();
    }

    static RolloutCore.Step step(RolloutState s, Map<String, HostReport> reports, Instant now) {
        return RolloutCore.step(s, reports, Optional.empty(), now, StallRetry.Jitter.NONE);
    }

    /** What the server reads from a real stalled-reverted document of kernel line {@code line}, stamped with {@code attempt}. */
    static HostReport stalled(String line, Instant at, Integer attempt) {
        JsonNode doc = Evidence.recorded(line, "stalled-reverted");
        ApplyResult result = ApplyResult.fromWire(doc.get("result").asText());
        assertThat(result).isEqualTo(ApplyResult.STALLED_REVERTED);
        return new HostReport(result, at, Observations.impact(doc.toString()), at, false, null, null, attempt);
    }

    static HostReport applied(Instant at, int attempt) {
        JsonNode doc = Evidence.recorded("6.1", "applied");
        return new HostReport(ApplyResult.fromWire(doc.get("result").asText()), at, Observations.impact(doc.toString()), at, true,
                null, null, attempt);
    }

    @ParameterizedTest
    @ValueSource(strings = {"6.1", "6.12"})
    void aStallWithAttemptsLeftRetriesHoldsItsSlotAndDoesNotTripTheStallGate(String line) {
        RolloutState s = start(plan(3, Duration.ofMinutes(5)));
        assertThat(s.hosts().get("h1").phase()).isEqualTo(Phase.DISPATCHED);
        assertThat(s.hosts().get("h1").attempt()).isEqualTo(1);

        Instant t1 = T0.plusSeconds(40);
        RolloutCore.Step first = step(s, Map.of("h1", stalled(line, t1, 1)), t1);
        HostProgress h1 = first.state().hosts().get("h1");
        assertThat(h1.phase()).isEqualTo(Phase.RETRYING);
        assertThat(h1.attempt()).isEqualTo(2);
        assertThat(h1.notBefore()).isEqualTo(t1.plus(Duration.ofMinutes(5)));
        assertThat(h1.result()).isEqualTo("stalled-reverted");
        assertThat(first.state().status()).as("a stall that will retry is not a stall for the gate").isEqualTo(Status.RUNNING);
        assertThat(first.state().hosts().get("h2").phase()).as("the retrying host holds the only slot").isEqualTo(Phase.PENDING);
        assertThat(first.decisions()).extracting(Decision::kind).containsExactly(Decision.Kind.RETRY_SCHEDULED);
        assertThat(first.decisions().get(0).reason()).contains("h1 attempt 2 of 3 not before " + t1.plus(Duration.ofMinutes(5)));
        assertThat(RolloutView.waves(first.state()).get(0).retrying()).isEqualTo(1);
        assertThat(RolloutView.waves(first.state()).get(0).stalled()).isZero();

        // The stall of attempt 1 is still the host's latest result: it does not count again.
        Instant later = t1.plus(Duration.ofMinutes(3));
        RolloutCore.Step again = step(first.state(), Map.of("h1", stalled(line, t1, 1)), later);
        assertThat(again.decisions()).isEmpty();
        assertThat(again.state()).isEqualTo(first.state());

        // Attempt 2 stalls too: the next wait doubles.
        Instant t2 = t1.plus(Duration.ofMinutes(6));
        RolloutCore.Step second = step(first.state(), Map.of("h1", stalled(line, t2, 2)), t2);
        assertThat(second.state().hosts().get("h1").attempt()).isEqualTo(3);
        assertThat(second.state().hosts().get("h1").notBefore()).isEqualTo(t2.plus(Duration.ofMinutes(10)));
        assertThat(second.state().status()).isEqualTo(Status.RUNNING);

        // Attempt 3 applies: the slot frees and the next host goes.
        Instant t3 = t2.plus(Duration.ofMinutes(11));
        RolloutCore.Step third = step(second.state(), Map.of("h1", applied(t3, 3)), t3);
        assertThat(third.state().hosts().get("h1").phase()).isEqualTo(Phase.APPLIED);
        assertThat(third.state().hosts().get("h1").attempt()).as("the host keeps the attempt that applied").isEqualTo(3);
        assertThat(third.state().hosts().get("h2").phase()).isEqualTo(Phase.DISPATCHED);
        assertThat(third.state().status()).isEqualTo(Status.RUNNING);
    }

    @Test
    void aHostWhoseAttemptsAreExhaustedIsStalledAndTheGateHalts() {
        RolloutState s = start(plan(2, Duration.ofMinutes(1)));
        Instant t1 = T0.plusSeconds(40);
        RolloutState retrying = step(s, Map.of("h1", stalled("6.12", t1, 1)), t1).state();
        Instant t2 = t1.plus(Duration.ofMinutes(2));
        RolloutCore.Step last = step(retrying, Map.of("h1", stalled("6.12", t2, 2)), t2);
        assertThat(last.state().hosts().get("h1").phase()).isEqualTo(Phase.STALLED);
        assertThat(last.state().status()).isEqualTo(Status.PAUSED);
        assertThat(last.state().haltReason()).contains("stall rate 1/1");
    }

    @Test
    void withOneAttemptTheDefaultAStallIsFinalAsBefore() {
        assertThat(Plan.defaults().stallAttempts()).isEqualTo(1);
        RolloutState s = start(new Plan(List.of(Wave.count("all", 2)), Duration.ZERO, 1, STRICT));
        Instant t1 = T0.plusSeconds(40);
        RolloutCore.Step step = step(s, Map.of("h1", stalled("6.1", t1, null)), t1);
        assertThat(step.state().hosts().get("h1").phase()).isEqualTo(Phase.STALLED);
        assertThat(step.state().status()).isEqualTo(Status.PAUSED);
    }

    @Test
    void aStallLeftWaitingOrAReversalThatStalledIsNeverRetried() {
        for (String name : List.of("stalled-waiting", "revert-stalled")) {
            JsonNode doc = Evidence.recorded("6.1", name);
            RolloutState s = start(plan(3, Duration.ofMinutes(5)));
            Instant t1 = T0.plusSeconds(40);
            HostReport r = new HostReport(ApplyResult.fromWire(doc.get("result").asText()), t1, Map.of(), t1, true, null, null, 1);
            RolloutCore.Step step = step(s, Map.of("h1", r), t1);
            assertThat(step.state().hosts().get("h1").phase()).as(name + ": the patch is still in the kernel").isEqualTo(Phase.STALLED);
        }
    }

    @Test
    void anAgentThatNamesNoAttemptHasItsStallTakenAsTheFirst() {
        RolloutState s = start(plan(3, Duration.ofMinutes(5)));
        Instant t1 = T0.plusSeconds(40);
        RolloutState retrying = step(s, Map.of("h1", stalled("6.1", t1, null)), t1).state();
        assertThat(retrying.hosts().get("h1").phase()).isEqualTo(Phase.RETRYING);
        // A later result without an attempt number is not attempt 2's.
        Instant t2 = t1.plus(Duration.ofMinutes(6));
        assertThat(step(retrying, Map.of("h1", stalled("6.1", t2, null)), t2).state().hosts().get("h1").phase()).isEqualTo(Phase.RETRYING);
    }

    @Test
    void aRetryingHostIsRolledBackLikeADispatchedOne() {
        RolloutState s = start(plan(3, Duration.ofMinutes(5)));
        Instant t1 = T0.plusSeconds(40);
        RolloutState retrying = step(s, Map.of("h1", stalled("6.1", t1, 1)), t1).state();
        RolloutCore.Step back = RolloutCore.step(retrying, Map.of(), Optional.of(new dev.klpfleet.server.rollout.core.Command.Rollback("alice", "r")),
                t1.plusSeconds(1));
        assertThat(back.state().hosts().get("h1").phase()).isEqualTo(Phase.ROLLING_BACK);
    }

    @Test
    void theWaitDoublesPerAttemptIsCappedAndJitterAddsAtMostHalf() {
        Plan p = plan(20, Duration.ofMinutes(5));
        Instant at = T0;
        assertThat(StallRetry.notBefore(p, "h", 2, at, StallRetry.Jitter.NONE)).isEqualTo(at.plus(Duration.ofMinutes(5)));
        assertThat(StallRetry.notBefore(p, "h", 4, at, StallRetry.Jitter.NONE)).isEqualTo(at.plus(Duration.ofMinutes(20)));
        assertThat(StallRetry.notBefore(p, "h", 20, at, StallRetry.Jitter.NONE)).isEqualTo(at.plus(StallRetry.MAX_DELAY));
        assertThat(StallRetry.notBefore(p, "h", 2, at, (h, a) -> 0.999)).isBefore(at.plus(Duration.ofMinutes(5).plusSeconds(150)))
                .isAfter(at.plus(Duration.ofMinutes(7)));
        // The hashed jitter is a fraction, the same for the same host and attempt, and spreads hosts.
        java.util.Set<Double> seen = new java.util.HashSet<>();
        for (int i = 0; i < 200; i++) {
            double f = StallRetry.Jitter.HASHED.fraction("h_" + i, 2);
            assertThat(f).isBetween(0.0, 0.9999999999);
            assertThat(StallRetry.Jitter.HASHED.fraction("h_" + i, 2)).isEqualTo(f);
            seen.add(Math.floor(f * 10));
        }
        assertThat(seen).as("200 hosts land in every tenth").hasSize(10);
    }

    @Test
    void planValidationBoundsAttemptsAndSpacing() {
        Wave all = Wave.count("all", 1);
        assertThat(new Plan(List.of(all), null, null, null, 0, null).problem()).isEqualTo("stallAttempts must be within 1..20 (got 0)");
        assertThat(new Plan(List.of(all), null, null, null, 21, null).problem()).contains("stallAttempts must be within 1..20");
        assertThat(new Plan(List.of(all), null, null, null, 3, Duration.ofSeconds(-1)).problem()).contains("stallRetryAfter must be within");
        assertThat(new Plan(List.of(all), null, null, null, 3, Duration.ofDays(2)).problem()).contains("stallRetryAfter must be within");
        assertThat(new Plan(List.of(all), null, null, null, 3, Duration.ZERO).problem()).isNull();
        assertThat(new Plan(List.of(all), null, null, null, null, null).stallRetryAfter()).isEqualTo(Duration.ofMinutes(5));
    }
}
