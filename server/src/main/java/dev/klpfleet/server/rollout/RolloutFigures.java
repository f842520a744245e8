package dev.klpfleet.server.rollout;

import dev.klpfleet.server.metrics.FleetMetrics;
import dev.klpfleet.server.metrics.RolloutSeries;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Tally;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A running or paused rollout's figures for the metrics, from the state and reports the engine just
 * stepped with: hosts by phase, and each gate's value counted the way {@link dev.klpfleet.server.rollout.core.GateCheck}
 * counts it (hosts told to apply, evidence since {@code gatesSince}). Pure.
 */
final class RolloutFigures {
    private RolloutFigures() {}

    static RolloutSeries.Figures of(String id, String patch, String version, RolloutState s, Map<String, HostReport> reports, List<String> noBuildHosts,
                                     Instant now) {
        Map<String, Long> phases = new LinkedHashMap<>();
        for (Phase p : Phase.values()) {
            phases.put(p.name(), 0L);
        }
        List<String> noBuild = List.copyOf(noBuildHosts);
        int finished = 0;
        int failed = 0;
        int stalled = 0;
        Duration longestSilence = Duration.ZERO;
        Gates g = s.plan().gates();
        Map<String, Double> impact = new LinkedHashMap<>();
        for (String path : g.impactMax().keySet()) {
            // What hosts outside this step's window reported, as the tally kept it.
            impact.put(path, s.tally().impactMax().getOrDefault(path, 0.0));
        }
        for (Phase p : Phase.values()) {
            phases.put(p.name(), s.count(p));
        }
        // The rates count every host of the rollout, the window's and the others', as the gates do.
        Tally t = s.tally();
        finished = (int) t.gatedFinished();
        failed = (int) (t.gated(Phase.FAILED) + t.gated(Phase.UNKNOWN) + t.gated(Phase.CRASH_SUSPECTED));
        stalled = (int) t.gated(Phase.STALLED);
        for (HostProgress h : s.hosts().values()) {
            HostReport r = reports.get(h.hostId());
            if (r == null) {
                continue;
            }
            if (h.phase().applying() || h.phase() == Phase.APPLIED) {
                Instant quiet = latest(r.lastSeen(), h.since(), s.gatesSince());
                Duration silence = Duration.between(quiet, now);
                if (silence.compareTo(longestSilence) > 0) {
                    longestSilence = silence;
                }
            }
            if (h.phase().finishedApply() && !h.since().isBefore(s.gatesSince())) {
                for (Map.Entry<String, Double> e : impact.entrySet()) {
                    Double v = r.impact().get(e.getKey());
                    if (v != null && v > e.getValue()) {
                        e.setValue(v);
                    }
                }
            }
        }
        List<RolloutSeries.Gate> gates = new ArrayList<>();
        gates.add(new RolloutSeries.Gate("failure_rate", finished == 0 ? 0 : (double) failed / finished, g.maxFailureRate()));
        gates.add(new RolloutSeries.Gate("stall_rate", finished == 0 ? 0 : (double) stalled / finished, g.maxStallRate()));
        gates.add(new RolloutSeries.Gate("silence_seconds", longestSilence.toMillis() / 1000.0, g.silenceAfterApply().toMillis() / 1000.0));
        impact.forEach((path, v) -> gates.add(new RolloutSeries.Gate("impact." + path, v, g.impactMax().get(path))));
        return new RolloutSeries.Figures(id, patch, version, s.status().name(), haltCause(s), phases, gates, noBuild);
    }

    /** Why a paused rollout halted, from the reason the core wrote; null while it runs. */
    static FleetMetrics.HaltCause haltCause(RolloutState s) {
        if (s.status() != Status.PAUSED) {
            return null;
        }
        String why = s.haltReason() == null ? "" : s.haltReason();
        if (why.startsWith("gate: ")) {
            return FleetMetrics.HaltCause.GATE;
        }
        if (why.startsWith("engine error: ")) {
            return FleetMetrics.HaltCause.ENGINE_ERROR;
        }
        return FleetMetrics.HaltCause.OPERATOR;
    }

    private static Instant latest(Instant a, Instant b, Instant c) {
        Instant m = a == null ? b : (a.isAfter(b) ? a : b);
        return m.isAfter(c) ? m : c;
    }
}
