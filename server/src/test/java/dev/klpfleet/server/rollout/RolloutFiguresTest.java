package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.server.metrics.FleetMetrics;
import dev.klpfleet.server.metrics.RolloutSeries;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Wave;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A rollout's gate figures are counted as the gates count: since the last resume, unknown as failed, no-build hosts listed. */
class RolloutFiguresTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    static final Instant RESUMED = T0.plusSeconds(10);
    static final String KSOFTIRQD = "insmod.ksoftirqdMaxDelayNanos";

    static HostReport seen(Instant lastSeen, double ksoftirqd) {
        return new HostReport(null, null, Map.of(KSOFTIRQD, ksoftirqd), lastSeen, false, null, null);
    }

    RolloutState state(Status status, String haltReason) {
        Plan plan = new Plan(List.of(Wave.count("all", 6)), Duration.ZERO, 10,
                new Gates(0.5, 0.25, Duration.ofMinutes(5), Map.of(KSOFTIRQD, 2_000_000.0), Gates.Action.PAUSE));
        TreeMap<String, HostProgress> hosts = new TreeMap<>();
        hosts.put("h1", new HostProgress("h1", 0, Phase.FAILED, T0.plusSeconds(20), "load-failed"));
        hosts.put("h2", new HostProgress("h2", 0, Phase.UNKNOWN, T0.plusSeconds(20), "unknown"));
        hosts.put("h3", new HostProgress("h3", 0, Phase.APPLIED, T0.plusSeconds(20), "applied"));
        hosts.put("h4", new HostProgress("h4", 0, Phase.FAILED, T0, "refused"));
        hosts.put("h5", new HostProgress("h5", -1, Phase.NO_BUILD, T0));
        hosts.put("h6", new HostProgress("h6", 0, Phase.DISPATCHED, T0.plusSeconds(20)));
        return new RolloutState(plan, status, 0, null, RESUMED, haltReason, hosts);
    }

    @Test
    void figuresCountOnlyEvidenceSinceTheResumeAndUnknownAsFailed() {
        Map<String, HostReport> reports = Map.of("h1", seen(T0.plusSeconds(90), 0), "h2", seen(T0.plusSeconds(90), 0),
                "h3", seen(T0.plusSeconds(90), 3_000_000), "h4", seen(T0.plusSeconds(90), 9_000_000), "h6", seen(T0.plusSeconds(30), 0));
        RolloutSeries.Figures f = RolloutFigures.of("r_1", "fix", "3", state(Status.RUNNING, null), reports, List.of("h5"), T0.plusSeconds(100));
        Map<String, RolloutSeries.Gate> gates = f.gates().stream().collect(Collectors.toMap(RolloutSeries.Gate::name, g -> g));
        assertThat(gates.get("failure_rate").value()).as("h1 and h2 of h1..h3; h4 failed before the resume").isEqualTo(2.0 / 3);
        assertThat(gates.get("failure_rate").threshold()).isEqualTo(0.5);
        assertThat(gates.get("stall_rate").value()).isZero();
        assertThat(gates.get("stall_rate").threshold()).isEqualTo(0.25);
        assertThat(gates.get("silence_seconds").value()).as("h6, told to apply, last seen at +30 s").isEqualTo(70);
        assertThat(gates.get("silence_seconds").threshold()).isEqualTo(300);
        assertThat(gates.get("impact." + KSOFTIRQD).value()).as("h4's 9 ms predates the resume").isEqualTo(3_000_000);
        assertThat(gates.get("impact." + KSOFTIRQD).threshold()).isEqualTo(2_000_000);
        assertThat(f.phases()).containsEntry("FAILED", 2L).containsEntry("UNKNOWN", 1L).containsEntry("NO_BUILD", 1L)
                .containsEntry("DISPATCHED", 1L).containsEntry("ROLLBACK_FAILED", 0L).hasSize(Phase.values().length);
        assertThat(f.noBuild()).containsExactly("h5");
        assertThat(f.haltCause()).isNull();
    }

    @Test
    void aPausedRolloutNamesWhyItHalted() {
        assertThat(RolloutFigures.haltCause(state(Status.PAUSED, "gate: host h3 impact over its limit"))).isEqualTo(FleetMetrics.HaltCause.GATE);
        assertThat(RolloutFigures.haltCause(state(Status.PAUSED, "engine error: DateTimeException"))).isEqualTo(FleetMetrics.HaltCause.ENGINE_ERROR);
        assertThat(RolloutFigures.haltCause(state(Status.PAUSED, "maintenance window"))).isEqualTo(FleetMetrics.HaltCause.OPERATOR);
        assertThat(RolloutFigures.haltCause(state(Status.RUNNING, null))).isNull();
    }
}
