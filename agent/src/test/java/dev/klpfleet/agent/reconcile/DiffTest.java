package dev.klpfleet.agent.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.state.Failures;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.agent.state.ManagedPatch.Phase;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DiffTest {
    static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    static final String SHA1 = "1".repeat(64);
    static final String SHA2 = "2".repeat(64);
    static final DesiredPatch CMDLINE_V1 = new DesiredPatch("klpf_cmdline", "1", SHA1, "klpf_cmdline.ko", "r_1");
    static final DesiredPatch CMDLINE_V2 = new DesiredPatch("klpf_cmdline", "2", SHA2, "klpf_cmdline.ko", "r_2");

    static Observation kernel(ObservedPatch... patches) {
        return new Observation("6.12.0-1-amd64", List.of(patches),
                Set.of(java.util.Arrays.stream(patches).map(ObservedPatch::name).toArray(String[]::new)), Optional.of(0L), Optional.of("boot-1"));
    }

    static ObservedPatch enabled(String name) {
        return new ObservedPatch(name, true, false);
    }

    static ManagedPatch managed(DesiredPatch d, Phase phase) {
        return new ManagedPatch(d.patch(), d.version(), d.sha256(), d.rolloutId(), phase, 1);
    }

    static Step diff(Observation k, List<DesiredPatch> desired, Map<String, ManagedPatch> managed) {
        return Diff.next(k, desired, managed, Map.of(), NOW);
    }

    @Test
    void aDesiredPatchNotInTheKernelIsLoaded() {
        Step s = diff(kernel(), List.of(CMDLINE_V1), Map.of());
        assertThat(s).isInstanceOfSatisfying(Step.Load.class, l -> assertThat(l.desired()).isEqualTo(CMDLINE_V1));
    }

    @Test
    void aBuildTheCrashGuardHoldsIsNotLoadedNorItsInterruptedLoadResumedButAnotherBuildIs() {
        Map<String, String> held = Map.of("klpf_cmdline", SHA1);
        assertThat(Diff.next(kernel(), List.of(CMDLINE_V1), Map.of(), Map.of(), held, NOW)).isInstanceOf(Step.Idle.class);
        assertThat(Diff.next(kernel(), List.of(CMDLINE_V1), Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADING)), Map.of(), held, NOW))
                .as("an interrupted load of the held build").isNotInstanceOf(Step.Load.class);
        assertThat(Diff.next(kernel(), List.of(CMDLINE_V2), Map.of(), Map.of(), held, NOW))
                .isInstanceOfSatisfying(Step.Load.class, l -> assertThat(l.desired()).isEqualTo(CMDLINE_V2));
    }

    @Test
    void aManagedPatchAppliedAsDesiredNeedsNothing() {
        Step s = diff(kernel(enabled("klpf_cmdline")), List.of(CMDLINE_V1), Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED)));
        assertThat(s).isInstanceOf(Step.Idle.class);
    }

    @Test
    void aManagedPatchTheDesiredSetDroppedIsUnloaded() {
        Step s = diff(kernel(enabled("klpf_cmdline")), List.of(), Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED)));
        assertThat(s).isInstanceOfSatisfying(Step.Unload.class, u -> assertThat(u.managed().patch()).isEqualTo("klpf_cmdline"));
    }

    @Test
    void aPatchTheAgentDidNotLoadIsNeverUnloaded() {
        Step s = diff(kernel(enabled("vendor_fix")), List.of(), Map.of());
        assertThat(s).isInstanceOf(Step.Idle.class);
    }

    @Test
    void aPatchLoadedBySomeoneElseIsLoadedWhenTheDesiredSetNamesIt() {
        // The kernel room's load then finds the same build applied (adopt) or refuses another build.
        Step s = diff(kernel(enabled("klpf_cmdline")), List.of(CMDLINE_V1), Map.of());
        assertThat(s).isInstanceOf(Step.Load.class);
    }

    @Test
    void anUpgradeUnloadsTheOldBuildBeforeLoadingTheNewOne() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED));
        assertThat(diff(kernel(enabled("klpf_cmdline")), List.of(CMDLINE_V2), m))
                .isInstanceOfSatisfying(Step.Unload.class, u -> assertThat(u.managed().version()).isEqualTo("1"));
        // after the unload the entry is gone and the kernel empty: now the new build loads
        assertThat(diff(kernel(), List.of(CMDLINE_V2), Map.of()))
                .isInstanceOfSatisfying(Step.Load.class, l -> assertThat(l.desired().version()).isEqualTo("2"));
    }

    @Test
    void nothingStartsWhileATransitionRuns() {
        Step s = diff(kernel(new ObservedPatch("other", true, true)), List.of(CMDLINE_V1), Map.of());
        assertThat(s).isInstanceOfSatisfying(Step.Wait.class, w -> assertThat(w.why()).contains("other"));
    }

    @Test
    void aLoadInterruptedByACrashIsResumedWhileDesiredAndUndoneOtherwise() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADING));
        assertThat(diff(kernel(enabled("klpf_cmdline")), List.of(CMDLINE_V1), m)).isInstanceOf(Step.Load.class);
        assertThat(diff(kernel(enabled("klpf_cmdline")), List.of(), m)).isInstanceOf(Step.Unload.class);
    }

    @Test
    void anUnloadInterruptedByACrashIsFinishedEvenIfTheKernelAlreadyDroppedThePatch() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.UNLOADING));
        assertThat(diff(kernel(), List.of(), m)).isInstanceOf(Step.Unload.class);
    }

    @Test
    void aFailedLoadIsNotRetriedForTheSameRolloutAndArtifactButIsForANewRollout() {
        Map<String, Instant> failed = Map.of(Failures.apply("klpf_cmdline", SHA1, "r_1"), NOW.minusSeconds(5));
        assertThat(Diff.next(kernel(), List.of(CMDLINE_V1), Map.of(), failed, NOW)).isInstanceOf(Step.Idle.class);
        DesiredPatch again = new DesiredPatch("klpf_cmdline", "1", SHA1, "klpf_cmdline.ko", "r_9");
        assertThat(Diff.next(kernel(), List.of(again), Map.of(), failed, NOW)).isInstanceOf(Step.Load.class);
    }

    @Test
    void aFailedUnloadIsRetriedOnlyAfterTheRetryDelay() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED));
        Map<String, Instant> failed = Map.of(Failures.unload("klpf_cmdline", SHA1), NOW.minusSeconds(60));
        assertThat(Diff.next(kernel(enabled("klpf_cmdline")), List.of(), m, failed, NOW)).isInstanceOf(Step.Idle.class);
        assertThat(Diff.next(kernel(enabled("klpf_cmdline")), List.of(), m, failed, NOW.plus(Diff.UNLOAD_RETRY_AFTER)))
                .isInstanceOf(Step.Unload.class);
    }

    @Test
    void aManagedPatchGoneFromTheKernelIsForgottenWhenNotDesiredAndReloadedWhenDesired() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED));
        assertThat(diff(kernel(), List.of(), m)).isInstanceOf(Step.Forget.class);
        assertThat(diff(kernel(), List.of(CMDLINE_V1), m)).isInstanceOf(Step.Load.class);
    }

    @Test
    void aNewRolloutOfTheAppliedArtifactGetsALoadThatReportsItAppliedForThatRollout() {
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED));
        DesiredPatch sameBuildNewRollout = new DesiredPatch("klpf_cmdline", "1", SHA1, "klpf_cmdline.ko", "r_7");
        assertThat(diff(kernel(enabled("klpf_cmdline")), List.of(sameBuildNewRollout), m)).isInstanceOf(Step.Load.class);
    }

    @Test
    void unloadsComeBeforeLoads() {
        DesiredPatch other = new DesiredPatch("klpf_meminfo", "1", SHA2, "klpf_meminfo.ko", "r_3");
        Map<String, ManagedPatch> m = Map.of("klpf_cmdline", managed(CMDLINE_V1, Phase.LOADED));
        assertThat(diff(kernel(enabled("klpf_cmdline")), List.of(other), m)).isInstanceOf(Step.Unload.class);
    }

    static final DesiredPatch RETRY_2 = new DesiredPatch("klpf_cmdline", "1", SHA1, "klpf_cmdline.ko", "r_1", 2, NOW.plusSeconds(300));

    @Test
    void aStalledFirstAttemptIsNotLoadedAgainButTheSecondAttemptIsOnceDue() {
        Map<String, Instant> failed = Map.of(Failures.apply("klpf_cmdline", SHA1, "r_1"), NOW.minusSeconds(60));
        DesiredPatch first = new DesiredPatch("klpf_cmdline", "1", SHA1, "klpf_cmdline.ko", "r_1", 1, null);
        assertThat(Diff.next(kernel(), List.of(first), Map.of(), failed, NOW)).isInstanceOf(Step.Idle.class);

        assertThat(Diff.next(kernel(), List.of(RETRY_2), Map.of(), failed, NOW))
                .isInstanceOfSatisfying(Step.Pending.class, p -> assertThat(p.why()).contains("attempt 2", "due at " + NOW.plusSeconds(300)));
        assertThat(Diff.next(kernel(), List.of(RETRY_2), Map.of(), failed, NOW.plusSeconds(300)))
                .isInstanceOfSatisfying(Step.Load.class, l -> assertThat(l.why()).contains("(attempt 2)"));
    }

    @Test
    void aRetryStartsEarlyWhenTheBlockersLeftAndNeverTwiceForTheSameAttempt() {
        Map<String, Instant> failed = Map.of(Failures.apply("klpf_cmdline", SHA1, "r_1"), NOW.minusSeconds(60));
        assertThat(Diff.next(kernel(), List.of(RETRY_2), Map.of(), failed, NOW, d -> true))
                .isInstanceOfSatisfying(Step.Load.class, l -> assertThat(l.why()).contains("early: the last blockers left"));
        Map<String, Instant> both = Map.of(Failures.apply("klpf_cmdline", SHA1, "r_1"), NOW.minusSeconds(60),
                Failures.apply("klpf_cmdline", SHA1, "r_1", 2), NOW);
        assertThat(Diff.next(kernel(), List.of(RETRY_2), Map.of(), both, NOW.plusSeconds(900), d -> true)).isInstanceOf(Step.Idle.class);
        assertThat(Failures.apply("p", SHA1, "r", 1)).as("attempt 1 keeps the key older agents wrote").isEqualTo(Failures.apply("p", SHA1, "r"));
    }
}
