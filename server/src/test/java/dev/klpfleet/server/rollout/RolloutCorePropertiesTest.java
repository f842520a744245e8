package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.UnloadResult;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Wave;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * The decision core against simulated fleets, judged by {@link Model}: a reference written here
 * from the documented rules (docs/CLI.md, the core's contract), not by calling the core's own gate
 * evaluation.
 */
class RolloutCorePropertiesTest {

    @Property(tries = 200)
    void neverMoreHostsApplyingThanTheCapAndNeverAHostWithoutABuild(@ForAll("scenarios") Scenario sc) {
        run(sc, (before, input, step) -> {
            assertThat(step.state().count(Phase.DISPATCHED) + step.state().count(Phase.RETRYING)).isLessThanOrEqualTo(sc.plan.maxConcurrent());
            before.hosts().values().stream().filter(h -> h.phase() == Phase.NO_BUILD)
                    .forEach(h -> assertThat(step.state().hosts().get(h.hostId()).phase()).isEqualTo(Phase.NO_BUILD));
        });
    }

    @Property(tries = 300)
    void theGatesTripExactlyWhenTheReferenceModelSaysABudgetIsExceeded(@ForAll("scenarios") Scenario sc) {
        run(sc, (before, input, step) -> {
            Optional<Instant> since = Model.gatesSinceIfRunning(before, input);
            if (since.isEmpty()) {
                return;
            }
            Optional<String> violation = Model.violation(before, input, since.get(), sc.plan);
            boolean tripped = step.decisions().stream().anyMatch(d -> d.kind() == Decision.Kind.GATE_TRIPPED);
            assertThat(tripped).as("gate tripped; the model says: %s", violation.orElse("no gate violated")).isEqualTo(violation.isPresent());
            if (violation.isPresent()) {
                assertThat(step.state().status()).isEqualTo(sc.plan.gates().action() == Gates.Action.PAUSE ? Status.PAUSED : Status.ROLLED_BACK);
            }
        });
    }

    @Property(tries = 300)
    void noResultLeavesAHostDispatchedOrRollingBack(@ForAll("scenarios") Scenario sc) {
        run(sc, (before, input, step) -> {
            for (HostProgress h : before.hosts().values()) {
                HostReport r = input.reports().get(h.hostId());
                boolean fresh = r != null && r.resultAt() != null && !r.resultAt().isBefore(h.since());
                Phase after = step.state().hosts().get(h.hostId()).phase();
                if (h.phase() == Phase.DISPATCHED && fresh && r.result() instanceof ApplyResult a) {
                    assertThat(after).as("%s reported %s", h.hostId(), a).isIn(Model.after(h, r, a, sc.plan), Phase.ROLLING_BACK);
                }
                if (h.phase() == Phase.ROLLING_BACK && fresh && r.result() instanceof UnloadResult u) {
                    assertThat(after).as("%s reported unload %s", h.hostId(), u).isIn(Model.UNLOAD.get(u), Phase.ROLLED_BACK);
                }
            }
        });
    }

    @Property(tries = 300)
    void aHostIsDispatchedOnlyAfterEveryEarlierWaveFinishedSoakedAndPassedTheGates(@ForAll("scenariosWithoutOperator") Scenario sc) {
        Map<Integer, Instant> finishedAt = new HashMap<>();
        run(sc, (before, input, step) -> {
            RolloutState after = step.state();
            // When every host through a wave is first seen finished (the soak cannot have started earlier).
            for (int w = 0; w < sc.plan.waves().size(); w++) {
                int wave = w;
                if (!finishedAt.containsKey(w) && after.hosts().values().stream().filter(e -> e.wave() >= 0 && e.wave() <= wave)
                        .allMatch(e -> Model.FINISHED.contains(e.phase()))) {
                    finishedAt.put(w, input.now());
                }
            }
            for (HostProgress h : after.hosts().values()) {
                if (h.phase() != Phase.DISPATCHED || before.hosts().get(h.hostId()).phase() != Phase.PENDING) {
                    continue;
                }
                Optional<Instant> since = Model.gatesSinceIfRunning(before, input);
                assertThat(since).as("dispatching %s while running", h.hostId()).isPresent();
                assertThat(Model.violation(before, input, since.get(), sc.plan)).as("gates pass when %s is dispatched", h.hostId()).isEmpty();
                int wave = h.wave();
                assertThat(after.hosts().values().stream().filter(e -> e.wave() >= 0 && e.wave() < wave))
                        .as("every host before wave %d finished", wave).allMatch(e -> Model.FINISHED.contains(e.phase()));
                int soaked = wave - 1;
                while (soaked >= 0 && after.size(soaked) == 0) {
                    soaked--;
                }
                if (soaked >= 0) {
                    assertThat(finishedAt).as("wave %d finished before", soaked).containsKey(soaked);
                    assertThat(input.now()).as("wave %d soaked %s", soaked, sc.plan.soak()).isAfterOrEqualTo(finishedAt.get(soaked).plus(sc.plan.soak()));
                }
            }
        });
    }

    @Property(tries = 200)
    void aRestartAtAnyPointContinuesExactly(@ForAll("scenarios") Scenario sc) {
        List<Decision> straight = new ArrayList<>();
        RolloutState end = run(sc, (before, input, step) -> straight.addAll(step.decisions()));

        // The same story, but after every step the state goes to JSON and back (as through the
        // database) and the step is run a second time, as a server that died before recording it would.
        List<Decision> restarted = new ArrayList<>();
        RolloutState s = sc.initial();
        Map<String, HostReport> world = new HashMap<>();
        for (int t = 0; t < sc.ticks; t++) {
            Scenario.Input in = sc.input(t, s, world);
            RolloutCore.Step step = RolloutCore.step(s, in.reports(), in.command(), in.now());
            RolloutState reloaded = StateJson.read(StateJson.write(step.state()), RolloutState.class);
            assertThat(reloaded).isEqualTo(step.state());
            RolloutCore.Step again = RolloutCore.step(reloaded, in.reports(), Optional.empty(), in.now());
            assertThat(again.decisions()).as("re-running a step decides nothing new").isEmpty();
            assertThat(again.state()).isEqualTo(step.state());
            restarted.addAll(step.decisions());
            s = again.state();
        }
        assertThat(s).isEqualTo(end);
        assertThat(restarted).isEqualTo(straight);
    }

    @Example
    void theModelNamesEveryResultOfTheVocabulary() {
        assertThat(Model.APPLY).containsOnlyKeys(ApplyResult.values());
        assertThat(Model.UNLOAD).containsOnlyKeys(UnloadResult.values());
    }

    /**
     * The documented rules, restated independently of the core: which phase each result leads to,
     * and when a gate is violated (bad health after applying, silence, impact over a limit, and the
     * failure and stall budgets over the hosts that finished since the gates' epoch).
     */
    static final class Model {
        static final Map<ApplyResult, Phase> APPLY = Map.of(
                ApplyResult.APPLIED, Phase.APPLIED,
                ApplyResult.REFUSED, Phase.FAILED,
                ApplyResult.LOAD_FAILED, Phase.FAILED,
                ApplyResult.DISABLE_FAILED, Phase.FAILED,
                ApplyResult.RMMOD_FAILED, Phase.FAILED,
                ApplyResult.STALLED_REVERTED, Phase.STALLED,
                ApplyResult.STALLED_WAITING, Phase.STALLED,
                ApplyResult.REVERT_STALLED, Phase.STALLED,
                ApplyResult.CRASH_SUSPECTED, Phase.CRASH_SUSPECTED,
                ApplyResult.UNKNOWN, Phase.UNKNOWN);
        static final Map<UnloadResult, Phase> UNLOAD = Map.of(
                UnloadResult.UNLOADED, Phase.ROLLED_BACK,
                UnloadResult.STALLED_REVERTED, Phase.ROLLBACK_FAILED,
                UnloadResult.STALLED_WAITING, Phase.ROLLBACK_FAILED,
                UnloadResult.REVERT_STALLED, Phase.ROLLBACK_FAILED,
                UnloadResult.DISABLE_FAILED, Phase.ROLLBACK_FAILED,
                UnloadResult.RMMOD_FAILED, Phase.ROLLBACK_FAILED,
                UnloadResult.UNKNOWN, Phase.ROLLBACK_FAILED);
        static final Set<Phase> FINISHED = Set.of(Phase.APPLIED, Phase.FAILED, Phase.STALLED, Phase.UNKNOWN, Phase.CRASH_SUSPECTED);

        /** The instant the gates count evidence from, if the gates are evaluated in this tick (the rollout runs, after any resume). */
        static Optional<Instant> gatesSinceIfRunning(RolloutState before, Scenario.Input in) {
            if (in.command().isEmpty()) {
                return before.status() == Status.RUNNING ? Optional.of(before.gatesSince()) : Optional.empty();
            }
            boolean resumes = in.command().get() instanceof Command.Resume && before.status() == Status.PAUSED;
            return resumes ? Optional.of(in.now()) : Optional.empty();
        }

        /**
         * Where an apply result puts an applying host: as {@link #APPLY} says, except that a reversed
         * stall with attempts left in the plan retries (docs/CLI.md, "Retries").
         */
        static Phase after(HostProgress h, HostReport r, ApplyResult a, Plan plan) {
            return a == ApplyResult.STALLED_REVERTED && Math.max(1, h.attempt()) < plan.stallAttempts() ? Phase.RETRYING : APPLY.get(a);
        }

        static Optional<String> violation(RolloutState before, Scenario.Input in, Instant since, Plan plan) {
            Gates g = plan.gates();
            int finished = 0;
            int failed = 0;
            int stalled = 0;
            for (HostProgress h : before.hosts().values()) {
                HostReport r = in.reports().get(h.hostId());
                if (r == null) {
                    continue;
                }
                Phase phase = h.phase();
                Instant phaseSince = h.since();
                boolean applying = phase == Phase.DISPATCHED || phase == Phase.RETRYING;
                if (applying && r.resultAt() != null && !r.resultAt().isBefore(h.since()) && r.result() instanceof ApplyResult a
                        && (r.attempt() == null ? 1 : r.attempt()) >= Math.max(1, h.attempt())) {
                    phase = after(h, r, a, plan);
                    phaseSince = r.resultAt();
                } else if (phase == Phase.APPLIED && r.resultAt() != null && !r.resultAt().isBefore(h.since())
                        && r.result() == ApplyResult.CRASH_SUSPECTED) {
                    // reported after the boot that followed the apply
                    phase = Phase.CRASH_SUSPECTED;
                    phaseSince = r.resultAt();
                }
                if (phase != Phase.DISPATCHED && phase != Phase.RETRYING && !FINISHED.contains(phase)) {
                    continue;
                }
                boolean sickSinceApplying = r.badHealthAt() != null && !r.badHealthAt().isBefore(since)
                        && (phase != Phase.DISPATCHED || !r.badHealthAt().isBefore(phaseSince));
                if (sickSinceApplying) {
                    return Optional.of(h.hostId() + " sick");
                }
                if (phase == Phase.DISPATCHED || phase == Phase.RETRYING || phase == Phase.APPLIED) {
                    Instant heard = phaseSince;
                    if (r.lastSeen() != null && r.lastSeen().isAfter(heard)) {
                        heard = r.lastSeen();
                    }
                    if (since.isAfter(heard)) {
                        heard = since;
                    }
                    if (heard.plus(g.silenceAfterApply()).isBefore(in.now())) {
                        return Optional.of(h.hostId() + " silent");
                    }
                }
                if (FINISHED.contains(phase) && !phaseSince.isBefore(since)) {
                    finished++;
                    failed += phase == Phase.FAILED || phase == Phase.UNKNOWN || phase == Phase.CRASH_SUSPECTED ? 1 : 0;
                    stalled += phase == Phase.STALLED ? 1 : 0;
                    for (Map.Entry<String, Double> limit : g.impactMax().entrySet()) {
                        Double v = r.impact().get(limit.getKey());
                        if (v != null && v > limit.getValue()) {
                            return Optional.of(h.hostId() + " " + limit.getKey() + "=" + v);
                        }
                    }
                }
            }
            if (over(failed, finished, g.maxFailureRate())) {
                return Optional.of("failed " + failed + "/" + finished);
            }
            if (over(stalled, finished, g.maxStallRate())) {
                return Optional.of("stalled " + stalled + "/" + finished);
            }
            return Optional.empty();
        }

        /** {@code bad} of {@code finished} is more than the fraction {@code budget}, in exact decimal arithmetic. */
        private static boolean over(int bad, int finished, double budget) {
            return finished > 0 && new BigDecimal(bad).compareTo(BigDecimal.valueOf(budget).multiply(new BigDecimal(finished))) > 0;
        }
    }

    interface Check {
        void after(RolloutState before, Scenario.Input input, RolloutCore.Step step);
    }

    static RolloutState run(Scenario sc, Check check) {
        RolloutState s = sc.initial();
        Map<String, HostReport> world = new HashMap<>();
        for (int t = 0; t < sc.ticks; t++) {
            Scenario.Input in = sc.input(t, s, world);
            RolloutCore.Step step = RolloutCore.step(s, in.reports(), in.command(), in.now());
            check.after(s, in, step);
            s = step.state();
        }
        return s;
    }

    @Provide
    Arbitrary<Scenario> scenarios() {
        return scenario(true);
    }

    @Provide
    Arbitrary<Scenario> scenariosWithoutOperator() {
        return scenario(false);
    }

    private static Arbitrary<Scenario> scenario(boolean operator) {
        Arbitrary<Wave> wave = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 4).map(n -> Wave.count("c" + n, n)),
                Arbitraries.integers().between(0, 100).map(p -> Wave.percent(p + "%", p)),
                Arbitraries.just(Wave.label("canaries", "tier=canary")));
        Arbitrary<Gates> gates = Combinators.combine(
                Arbitraries.of(0.0, 0.1, 0.3, 1.0), Arbitraries.of(0.0, 0.2, 1.0),
                Arbitraries.of(Map.<String, Double>of(), Map.of("insmod.ksoftirqdMaxDelayNanos", 2_500_000.0),
                        Map.of("transition.retransSegs", 10.0)),
                Arbitraries.of(Gates.Action.values()))
                .as((f, st, imp, act) -> new Gates(f, st, Duration.ofMinutes(10), imp, act));
        Arbitrary<Plan> plan = Combinators.combine(wave.list().ofMinSize(1).ofMaxSize(5),
                        Arbitraries.integers().between(0, 8), Arbitraries.integers().between(1, 6), gates,
                        Arbitraries.integers().between(1, 3), Arbitraries.integers().between(0, 5))
                .as((waves, soakMin, cap, g, attempts, retryMin) -> new Plan(waves, Duration.ofMinutes(soakMin), cap, g, attempts,
                        Duration.ofMinutes(retryMin)));
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 40), plan,
                        Arbitraries.integers().between(1, 60))
                .as((seed, n, p, ticks) -> new Scenario(seed, n, p, ticks, operator));
    }
}
