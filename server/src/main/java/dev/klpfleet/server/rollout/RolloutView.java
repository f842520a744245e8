package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import java.time.Instant;
import java.util.List;

/**
 * A rollout as operators see it: where it stands per wave and per host, which hosts have no build,
 * and every decision. Lists of rollouts leave {@code hosts} and {@code decisions} empty.
 */
public record RolloutView(String id, String patch, String version, Status status, String haltReason, int currentWave,
                          Instant soakStartedAt, List<WaveProgress> waves, List<String> noBuild, long revision,
                          Instant createdAt, Instant updatedAt, List<HostLine> hosts, List<DecisionRecord> decisions) {

    /**
     * Host counts of one wave by phase; {@code applying} counts DISPATCHED hosts, {@code failed} includes
     * {@code unknown} (hosts whose result this server does not know, counted as failures by the gates) and
     * {@code crashSuspected} (hosts whose agent suspects the patch crashed them, also failures);
     * {@code retrying} counts hosts whose transition stalled and that will try again (not in {@code stalled}).
     */
    public record WaveProgress(int index, String name, int hosts, int pending, int applying, int applied, int failed,
                               int unknown, int stalled, int rollingBack, int rolledBack, int rollbackFailed, int crashSuspected,
                               int retrying) {}

    /**
     * One host: its wave (-1 for no build), phase, since when, the wire name of the result that put it
     * there, the attempt it is on (0 before its dispatch) and, while RETRYING, when that attempt may start.
     */
    public record HostLine(String hostId, int wave, Phase phase, Instant since, String result, int attempt, Instant notBefore) {}

    /** A recorded decision with its sequence number within the rollout. */
    public record DecisionRecord(long seq, Instant at, Decision.Kind kind, String reason, String actor, int wave, List<String> hosts) {}

    static List<WaveProgress> waves(RolloutState s) {
        List<WaveProgress> out = new java.util.ArrayList<>();
        for (int w = 0; w < s.plan().waves().size(); w++) {
            long unknown = s.count(w, Phase.UNKNOWN);
            long crashed = s.count(w, Phase.CRASH_SUSPECTED);
            out.add(new WaveProgress(w, s.plan().waves().get(w).name(), (int) s.size(w), (int) s.count(w, Phase.PENDING),
                    (int) s.count(w, Phase.DISPATCHED), (int) s.count(w, Phase.APPLIED), (int) (s.count(w, Phase.FAILED) + unknown + crashed),
                    (int) unknown, (int) s.count(w, Phase.STALLED), (int) s.count(w, Phase.ROLLING_BACK), (int) s.count(w, Phase.ROLLED_BACK),
                    (int) s.count(w, Phase.ROLLBACK_FAILED), (int) crashed, (int) s.count(w, Phase.RETRYING)));
        }
        return out;
    }

    static List<HostLine> hosts(RolloutState s) {
        return s.hosts().values().stream().map(RolloutView::line).toList();
    }

    /** One host's line; a host never dispatched is on no attempt. */
    static HostLine line(HostProgress h) {
        return new HostLine(h.hostId(), h.wave(), h.phase(), h.since(), h.result(),
                h.phase() == Phase.NO_BUILD || h.phase() == Phase.PENDING ? 0 : h.currentAttempt(), h.notBefore());
    }
}
