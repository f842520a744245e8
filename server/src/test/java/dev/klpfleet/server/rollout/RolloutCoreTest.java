package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.protocol.fleet.ImpactPaths;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.UnloadResult;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Targeting;
import dev.klpfleet.server.rollout.core.Wave;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The decision core, one scenario at a time, on the outcomes hosts really report. */
class RolloutCoreTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    static Plan plan(Gates gates, Wave... waves) {
        return new Plan(List.of(waves), Duration.ZERO, 1, gates);
    }

    static Gates gates(double maxFailureRate, Map<String, Double> impactMax) {
        return new Gates(maxFailureRate, 0.0, Duration.ofMinutes(10), impactMax, Gates.Action.PAUSE);
    }

    static RolloutState start(Plan plan, String... hosts) {
        List<Targeting.Target> targets = java.util.Arrays.stream(hosts).map(h -> new Targeting.Target(h, Map.of(), true)).toList();
        return RolloutCore.step(Targeting.initial("r1", plan, targets, T0), Map.of(), Optional.empty(), T0).state();
    }

    static String dispatched(RolloutState s) {
        return s.hosts().values().stream().filter(h -> h.phase() == Phase.DISPATCHED).findFirst().orElseThrow().hostId();
    }

    static HostReport reported(dev.klpfleet.protocol.outcome.Outcome result, Instant at, boolean loaded) {
        return new HostReport(result, at, Map.of(), at, loaded, null, null);
    }

    @Test
    void aResultTheServerDoesNotKnowFreesTheSlotIsShownAsUnknownAndCountsAsAFailure() {
        RolloutState s = start(plan(gates(0.0, Map.of()), Wave.count("all", 2)), "h1", "h2");
        String first = dispatched(s);
        Instant t1 = T0.plusSeconds(60);
        // What HostEvent.fromWire makes of a result a newer agent invented.
        ApplyResult unknown = ApplyResult.fromWire("applied-with-quirks");
        RolloutCore.Step step = RolloutCore.step(s, Map.of(first, reported(unknown, t1, true)), Optional.empty(), t1);

        assertThat(step.state().hosts().get(first).phase()).isEqualTo(Phase.UNKNOWN);
        assertThat(step.state().hosts().get(first).result()).isEqualTo("unknown");
        assertThat(step.state().count(Phase.DISPATCHED)).as("no slot held").isZero();
        assertThat(step.state().status()).isEqualTo(Status.PAUSED);
        assertThat(step.state().haltReason()).contains("failure rate 1/1", "does not know", first);
        assertThat(RolloutView.waves(step.state()).get(0).unknown()).isEqualTo(1);
        assertThat(RolloutView.waves(step.state()).get(0).failed()).isEqualTo(1);
    }

    /** The result of the agent's crash-suspected event as recorded on a real 6.12 kernel crashed after the apply, read as the server reads it. */
    static ApplyResult recordedCrashSuspected() {
        JsonNode evidence = Evidence.recorded("6.12", "agent-crash-suspected");
        return (ApplyResult) dev.klpfleet.protocol.outcome.EventKind.APPLY.result(evidence.path("result").asText());
    }

    @Test
    void aHostThatAppliedAndThenReportsCrashSuspectedIsAFailureAndTheRolloutHalts() {
        // A soak long enough that only the crash report can decide what happens after the canary applied.
        RolloutState s = start(new Plan(List.of(Wave.count("canary", 1), Wave.count("rest", 1)), Duration.ofHours(1), 1, gates(0.0, Map.of())),
                "h1", "h2");
        String canary = dispatched(s);
        Instant applied = T0.plusSeconds(60);
        s = RolloutCore.step(s, Map.of(canary, reported(ApplyResult.APPLIED, applied, true)), Optional.empty(), applied).state();
        assertThat(s.hosts().get(canary).phase()).isEqualTo(Phase.APPLIED);

        Instant afterBoot = applied.plusSeconds(120);
        RolloutCore.Step step = RolloutCore.step(s, Map.of(canary, reported(recordedCrashSuspected(), afterBoot, false)), Optional.empty(), afterBoot);

        assertThat(step.state().hosts().get(canary).phase()).isEqualTo(Phase.CRASH_SUSPECTED);
        assertThat(step.state().hosts().get(canary).result()).isEqualTo("crash-suspected");
        assertThat(step.state().status()).isEqualTo(Status.PAUSED);
        assertThat(step.state().haltReason()).contains("failure rate 1/1", "1 crash-suspected: " + canary);
        assertThat(Phase.CRASH_SUSPECTED.wantsPatch()).as("its desired set drops the patch").isFalse();
        assertThat(step.state().hosts().values()).filteredOn(h -> !h.hostId().equals(canary))
                .allSatisfy(h -> assertThat(h.phase()).as("the next wave never starts").isEqualTo(Phase.PENDING));
        RolloutView.WaveProgress canaryWave = RolloutView.waves(step.state()).get(0);
        assertThat(canaryWave.crashSuspected()).isEqualTo(1);
        assertThat(canaryWave.failed()).isEqualTo(1);
        assertThat(canaryWave.applied()).isZero();
    }

    @Test
    void aHostWhoseLoadNeverCompletedReportsCrashSuspectedFromDispatchedAndFreesItsSlot() {
        RolloutState s = start(plan(gates(1.0, Map.of()), Wave.count("all", 2)), "h1", "h2");
        String first = dispatched(s);
        Instant t1 = T0.plusSeconds(300);
        RolloutState after = RolloutCore.step(s, Map.of(first, reported(recordedCrashSuspected(), t1, false)), Optional.empty(), t1).state();
        assertThat(after.hosts().get(first).phase()).isEqualTo(Phase.CRASH_SUSPECTED);
        assertThat(after.status()).as("within a failure budget of 1.0 the rollout goes on").isEqualTo(Status.RUNNING);
        assertThat(after.count(Phase.DISPATCHED)).isEqualTo(1);
    }

    @Test
    void withAFailureBudgetAnUnknownResultLetsTheNextHostGo() {
        RolloutState s = start(plan(gates(1.0, Map.of()), Wave.count("all", 2)), "h1", "h2");
        String first = dispatched(s);
        Instant t1 = T0.plusSeconds(60);
        RolloutState after = RolloutCore.step(s, Map.of(first, reported(ApplyResult.UNKNOWN, t1, false)), Optional.empty(), t1).state();
        assertThat(after.status()).isEqualTo(Status.RUNNING);
        assertThat(after.count(Phase.DISPATCHED)).isEqualTo(1);
        assertThat(after.hosts().get(first).phase()).isEqualTo(Phase.UNKNOWN);
    }

    @ParameterizedTest
    @EnumSource(value = UnloadResult.class, names = "UNLOADED", mode = EnumSource.Mode.EXCLUDE)
    void aFailedUnloadIsAVisibleRollbackFailureUntilTheHostIsSeenWithoutThePatch(UnloadResult failure) {
        RolloutState s = start(plan(gates(0.0, Map.of()), Wave.count("all", 1)), "h1");
        Instant t1 = T0.plusSeconds(60);
        s = RolloutCore.step(s, Map.of("h1", reported(ApplyResult.APPLIED, t1, true)), Optional.empty(), t1).state();
        Instant t2 = t1.plusSeconds(60);
        s = RolloutCore.step(s, Map.of("h1", reported(ApplyResult.APPLIED, t1, true)), Optional.of(new Command.Rollback("alice", "bad")), t2).state();
        assertThat(s.hosts().get("h1").phase()).isEqualTo(Phase.ROLLING_BACK);

        Instant t3 = t2.plusSeconds(60);
        RolloutCore.Step failed = RolloutCore.step(s, Map.of("h1", reported(failure, t3, true)), Optional.empty(), t3);
        assertThat(failed.state().hosts().get("h1").phase()).isEqualTo(Phase.ROLLBACK_FAILED);
        assertThat(failed.state().hosts().get("h1").result()).isEqualTo(failure.wire());
        assertThat(failed.decisions()).singleElement().satisfies(d -> {
            assertThat(d.kind()).isEqualTo(Decision.Kind.ROLLBACK_FAILED);
            assertThat(d.reason()).contains("h1", failure.wire());
            assertThat(d.hosts()).containsExactly("h1");
        });
        assertThat(failed.state().needsSteps()).as("a failed unload is still watched").isTrue();
        assertThat(RolloutCore.step(failed.state(), Map.of("h1", reported(failure, t3, true)), Optional.empty(), t3.plusSeconds(5)).decisions())
                .as("the same failure is reported once").isEmpty();

        Instant t4 = t3.plusSeconds(60);
        RolloutState healed = RolloutCore.step(failed.state(), Map.of("h1", new HostReport(failure, t3, Map.of(), t4, false, null, null)),
                Optional.empty(), t4).state();
        assertThat(healed.hosts().get("h1").phase()).isEqualTo(Phase.ROLLED_BACK);
        assertThat(healed.needsSteps()).as("nothing left in flight").isFalse();
    }

    @Test
    void anImpactGateReadsTheNestedFieldOfARealDocumentAndNamesFieldHostAndValue() {
        for (String line : List.of("6.1", "6.12")) {
            JsonNode applied = Evidence.recorded(line, "applied");
            Map<String, Double> impact = Observations.impact(applied.toString());
            // What insmod of the test patch cost that guest's ksoftirqd, as the real agent's document says.
            double measured = applied.path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asDouble();
            assertThat(measured).as(line + ": the recording measured a run delay").isPositive();
            assertThat(impact).as(line).containsEntry("insmod.ksoftirqdMaxDelayNanos", measured);
            applied.path("impact").path("insmod").fields().forEachRemaining(f -> {
                if (f.getValue().isNull()) {
                    assertThat(impact).as(line + ": null in the document is left out").doesNotContainKey("insmod." + f.getKey());
                }
            });

            long above = (long) measured + 1;
            long below = (long) measured - 1;
            assertThat(stepWithLimit(impact, above).state().status()).as(line + ": a limit above the measured value holds")
                    .isEqualTo(Status.RUNNING);
            RolloutCore.Step tripped = stepWithLimit(impact, below);
            assertThat(tripped.state().status()).as(line + ": a limit below the measured value trips").isEqualTo(Status.PAUSED);
            assertThat(tripped.state().haltReason()).isEqualTo("gate: host " + dispatched(start(limited(below), "h1", "h2"))
                    + " impact insmod.ksoftirqdMaxDelayNanos=" + (long) measured + " over its limit " + below);
        }
    }

    private static Plan limited(long limitNanos) {
        return plan(gates(0.0, Map.of("insmod.ksoftirqdMaxDelayNanos", (double) limitNanos)), Wave.count("all", 2));
    }

    private static RolloutCore.Step stepWithLimit(Map<String, Double> impact, long limitNanos) {
        Instant t1 = T0.plusSeconds(60);
        RolloutState s = start(limited(limitNanos), "h1", "h2");
        String first = dispatched(s);
        return RolloutCore.step(s, Map.of(first, new HostReport(ApplyResult.APPLIED, t1, impact, t1, true, null, null)),
                Optional.empty(), t1);
    }

    @Test
    void everyRecordedDocumentCarriesExactlyTheGateableImpactFields() {
        for (RecordedEvidence.Recording r : RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT)) {
            JsonNode impact = r.document().path("impact");
            if (impact.isNull() || impact.isMissingNode()) {
                continue;
            }
            List<String> paths = new java.util.ArrayList<>();
            // Phases only: impact.pinning (where insmod ran, since issue 12) is evidence, not a gateable phase.
            impact.fields().forEachRemaining(phase -> {
                if (!phase.getKey().equals("pinning")) {
                    phase.getValue().fieldNames().forEachRemaining(f -> paths.add(phase.getKey() + "." + f));
                }
            });
            assertThat(paths).as(r.resource()).containsExactlyElementsOf(ImpactPaths.ALL);
            assertThat(Observations.impact(r.document().toString()).keySet()).as(r.resource()).isSubsetOf(ImpactPaths.ALL)
                    .contains("insmod.elapsed", "transition.elapsed");
        }
    }

    @Test
    void aHealthEventTripsTheGateNamingWhatWasSeen() {
        RolloutState s = start(plan(gates(1.0, Map.of()), Wave.count("all", 2)), "h1", "h2");
        String first = dispatched(s);
        Instant t1 = T0.plusSeconds(60);
        RolloutCore.Step step = RolloutCore.step(s, Map.of(first, new HostReport(ApplyResult.APPLIED, t1, Map.of(), t1, true,
                HealthKind.fromWire("kernel-on-fire"), t1.plusSeconds(1))), Optional.empty(), t1.plusSeconds(2));
        assertThat(step.state().haltReason()).contains(first, "health problem this server does not know");
    }

    /** The core once fell through to a rollback for any command it did not name; now each verb does only its own thing. */
    @ParameterizedTest
    @EnumSource(Command.Verb.class)
    void onlyARollbackCommandRollsBack(Command.Verb verb) {
        Command c = switch (verb) {
            case PAUSE -> new Command.Pause("alice", "r");
            case RESUME -> new Command.Resume("alice", "r");
            case ABORT -> new Command.Abort("alice", "r");
            case PROMOTE -> new Command.Promote("alice", "r");
            case ROLLBACK -> new Command.Rollback("alice", "r");
        };
        assertThat(c.verb()).isEqualTo(verb);
        RolloutState s = start(plan(gates(0.0, Map.of()), Wave.count("one", 1), Wave.count("two", 1)), "h1", "h2");
        RolloutCore.Step step = RolloutCore.step(s, Map.of(), Optional.of(c), T0.plusSeconds(1));
        Map<Command.Verb, Status> expected = Map.of(Command.Verb.PAUSE, Status.PAUSED, Command.Verb.RESUME, Status.RUNNING,
                Command.Verb.ABORT, Status.ABORTED, Command.Verb.PROMOTE, Status.RUNNING, Command.Verb.ROLLBACK, Status.ROLLED_BACK);
        assertThat(step.state().status()).isEqualTo(expected.get(verb));
        assertThat(step.rejected() == null).as("only resume of a running rollout is refused").isEqualTo(verb != Command.Verb.RESUME);
    }

    @Test
    void aFaultPausesARunningRolloutOnceAndLeavesAFinishedOnesStatus() {
        RolloutState s = start(plan(gates(0.0, Map.of()), Wave.count("all", 1)), "h1");
        RolloutCore.Step f = RolloutCore.faulted(s, "DateTimeException: Instant exceeds minimum or maximum instant", T0.plusSeconds(1));
        assertThat(f.state().status()).isEqualTo(Status.PAUSED);
        assertThat(f.state().haltReason()).isEqualTo("engine error: DateTimeException: Instant exceeds minimum or maximum instant");
        assertThat(f.decisions()).singleElement().extracting(Decision::kind).isEqualTo(Decision.Kind.ENGINE_ERROR);
        assertThat(RolloutCore.faulted(f.state(), "DateTimeException: Instant exceeds minimum or maximum instant", T0.plusSeconds(2)).decisions())
                .as("the same error again decides nothing").isEmpty();

        RolloutState aborted = RolloutCore.step(s, Map.of(), Optional.of(new Command.Abort("alice", "stop")), T0.plusSeconds(1)).state();
        assertThat(RolloutCore.faulted(aborted, "boom", T0.plusSeconds(2)).state().status()).isEqualTo(Status.ABORTED);
    }

    @Test
    void finishedRolloutsAreSteppedOnlyWhileHostsAreInFlight() {
        RolloutState s = start(plan(gates(0.0, Map.of()), Wave.count("all", 1)), "h1");
        RolloutState aborted = RolloutCore.step(s, Map.of(), Optional.of(new Command.Abort("alice", "stop")), T0.plusSeconds(1)).state();
        assertThat(aborted.needsSteps()).as("its canary is still applying").isTrue();
        Instant t = T0.plusSeconds(30);
        RolloutCore.Step absorbed = RolloutCore.step(aborted, Map.of("h1", reported(ApplyResult.APPLIED, t, true)), Optional.empty(), t);
        assertThat(absorbed.state().hosts().get("h1").phase()).isEqualTo(Phase.APPLIED);
        assertThat(absorbed.decisions()).as("an aborted rollout decides nothing").isEmpty();
        assertThat(absorbed.state().needsSteps()).isFalse();
        assertThat(absorbed.state().status()).isEqualTo(Status.ABORTED);
    }

    @Test
    void aPlanIsRefusedWithAReasonForEveryBadField() {
        Gates ok = Gates.defaults();
        Map<String, Plan> bad = new HashMap<>();
        bad.put("soak must be within 0..30 days", new Plan(List.of(Wave.count("a", 1)), Duration.parse("PT1000000000000000000S"), 1, ok));
        bad.put("soak must be within", new Plan(List.of(Wave.count("a", 1)), Duration.ofSeconds(-1), 1, ok));
        bad.put("two waves are named 'a'", new Plan(List.of(Wave.count("a", 1), Wave.percent("a", 100)), Duration.ZERO, 1, ok));
        bad.put("maxConcurrent must be within 1..100000", new Plan(List.of(Wave.count("a", 1)), Duration.ZERO, 0, ok));
        bad.put("maxConcurrent must be within", new Plan(List.of(Wave.count("a", 1)), Duration.ZERO, 1_000_000, ok));
        bad.put("percent must be within 0..100", new Plan(List.of(Wave.percent("a", 101)), Duration.ZERO, 1, ok));
        bad.put("count must be within", new Plan(List.of(Wave.count("a", -1)), Duration.ZERO, 1, ok));
        bad.put("label must be key=value", new Plan(List.of(Wave.label("a", "=x")), Duration.ZERO, 1, ok));
        bad.put("silenceAfterApply must be positive and at most 30 days", new Plan(List.of(Wave.count("a", 1)), Duration.ZERO, 1,
                new Gates(0.0, 0.0, Duration.ofDays(31), Map.of(), Gates.Action.PAUSE)));
        bad.put("maxFailureRate must be a fraction", new Plan(List.of(Wave.count("a", 1)), Duration.ZERO, 1,
                new Gates(Double.NaN, 0.0, null, null, null)));
        bad.put("unknown impact field 'stopMachineUs'; valid fields: " + String.join(", ", ImpactPaths.ALL),
                new Plan(List.of(Wave.count("a", 1)), Duration.ZERO, 1, new Gates(0.0, 0.0, null, Map.of("stopMachineUs", 2500.0), null)));
        bad.put("a plan needs 1..100 waves", new Plan(List.of(), Duration.ZERO, 1, ok));
        bad.forEach((reason, p) -> assertThat(p.problem()).as(reason).contains(reason).doesNotContain("\n"));
    }

    @Test
    void fieldsLeftOutOfAPlanTakeTheirDefaultsSoSteppingItCannotFail() {
        Plan p = StateJson.read("{\"waves\":[{\"name\":\"all\",\"kind\":\"COUNT\",\"count\":1}],\"gates\":{\"maxFailureRate\":0.5}}", Plan.class);
        assertThat(p.problem()).isNull();
        assertThat(p.soak()).isEqualTo(Plan.DEFAULT_SOAK);
        assertThat(p.maxConcurrent()).isEqualTo(Plan.DEFAULT_MAX_CONCURRENT);
        assertThat(p.gates()).isEqualTo(new Gates(0.5, 0.0, Gates.DEFAULT_SILENCE, Map.of(), Gates.Action.PAUSE));
        RolloutState s = start(p, "h1");
        Instant t = T0.plusSeconds(60);
        assertThat(RolloutCore.step(s, Map.of("h1", reported(ApplyResult.APPLIED, t, true)), Optional.empty(), t).state().hosts().get("h1").phase())
                .isEqualTo(Phase.APPLIED);
    }

    @Test
    void everyPhaseIsCountedInTheWaveView() {
        Set<Phase> counted = EnumSet.of(Phase.PENDING, Phase.DISPATCHED, Phase.APPLIED, Phase.FAILED, Phase.UNKNOWN, Phase.STALLED,
                Phase.RETRYING, Phase.ROLLING_BACK, Phase.ROLLED_BACK, Phase.ROLLBACK_FAILED, Phase.CRASH_SUSPECTED);
        assertThat(EnumSet.complementOf(EnumSet.copyOf(counted))).as("only hosts without a build are left out of waves").containsExactly(Phase.NO_BUILD);
    }
}
