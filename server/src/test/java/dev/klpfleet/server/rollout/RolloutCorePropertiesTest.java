package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.GateCheck;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Wave;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

class RolloutCorePropertiesTest {

    @Property(tries = 200)
    void neverMoreHostsApplyingThanTheCap(@ForAll("scenarios") Scenario sc) {
        run(sc, (before, input, step) ->
                assertThat(step.state().count(Phase.DISPATCHED)).isLessThanOrEqualTo(sc.plan.maxConcurrent()));
    }

    @Property(tries = 200)
    void aWaveStartsOnlyAfterThePreviousWavesFinishedSoakedAndPassedTheirGates(@ForAll("scenariosWithoutOperator") Scenario sc) {
        Map<Integer, java.time.Instant> soakStarted = new HashMap<>();
        run(sc, (before, input, step) -> {
            step.decisions().stream().filter(d -> d.kind() == Decision.Kind.SOAK_STARTED).forEach(d -> soakStarted.put(d.wave(), d.at()));
            RolloutState after = step.state();
            for (int w = 1; w < sc.plan.waves().size(); w++) {
                int wave = w;
                boolean startedNow = before.hosts().values().stream().noneMatch(h -> h.wave() == wave && h.phase() != Phase.PENDING)
                        && after.hosts().values().stream().anyMatch(h -> h.wave() == wave && h.phase() == Phase.DISPATCHED);
                if (!startedNow) {
                    continue;
                }
                assertThat(after.hosts().values().stream().filter(h -> h.wave() >= 0 && h.wave() < wave))
                        .as("every earlier host finished").allMatch(h -> h.phase().finishedApply());
                int lastNonEmpty = wave - 1;
                while (lastNonEmpty >= 0 && after.size(lastNonEmpty) == 0) {
                    lastNonEmpty--;
                }
                if (lastNonEmpty >= 0) {
                    assertThat(soakStarted).as("wave %d soaked", lastNonEmpty).containsKey(lastNonEmpty);
                    assertThat(input.now()).as("soak of wave %d elapsed", lastNonEmpty)
                            .isAfterOrEqualTo(soakStarted.get(lastNonEmpty).plus(sc.plan.soak()));
                }
                assertThat(GateCheck.firstViolation(after, input.reports(), input.now())).as("gates pass").isEmpty();
            }
        });
    }

    @Property(tries = 200)
    void alwaysHaltsOnceABudgetIsExceeded(@ForAll("scenarios") Scenario sc) {
        run(sc, (before, input, step) -> {
            if (GateCheck.firstViolation(step.state(), input.reports(), input.now()).isPresent()) {
                assertThat(step.state().status()).isNotEqualTo(Status.RUNNING);
            }
        });
    }

    @Property(tries = 150)
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
                Arbitraries.of(Map.<String, Double>of(), Map.of("stopMachineUs", 2500.0)),
                Arbitraries.of(Gates.Action.values()))
                .as((f, st, imp, act) -> new Gates(f, st, Duration.ofMinutes(10), imp, act));
        Arbitrary<Plan> plan = Combinators.combine(wave.list().ofMinSize(1).ofMaxSize(5),
                        Arbitraries.integers().between(0, 8), Arbitraries.integers().between(1, 6), gates)
                .as((waves, soakMin, cap, g) -> new Plan(waves, Duration.ofMinutes(soakMin), cap, g));
        return Combinators.combine(Arbitraries.longs(), Arbitraries.integers().between(0, 40), plan,
                        Arbitraries.integers().between(1, 60))
                .as((seed, n, p, ticks) -> new Scenario(seed, n, p, ticks, operator));
    }
}
