package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import java.time.Instant;
import java.util.List;

/** A rollout as operators see it: where it stands per wave, which hosts have no build, and every decision. */
public record RolloutView(String id, String patch, String version, Status status, String haltReason, int currentWave,
                          Instant soakStartedAt, List<WaveProgress> waves, List<String> noBuild, long revision,
                          Instant createdAt, Instant updatedAt, List<DecisionRecord> decisions) {

    /** Host counts of one wave by phase; {@code applying} counts DISPATCHED hosts. */
    public record WaveProgress(int index, String name, int hosts, int pending, int applying, int applied, int failed,
                               int stalled, int rollingBack, int rolledBack) {}

    /** A recorded decision with its sequence number within the rollout. */
    public record DecisionRecord(long seq, Instant at, Decision.Kind kind, String reason, String actor, int wave, List<String> hosts) {}

    static List<WaveProgress> waves(RolloutState s) {
        List<WaveProgress> out = new java.util.ArrayList<>();
        for (int w = 0; w < s.plan().waves().size(); w++) {
            out.add(new WaveProgress(w, s.plan().waves().get(w).name(), (int) s.size(w), (int) s.count(w, Phase.PENDING),
                    (int) s.count(w, Phase.DISPATCHED), (int) s.count(w, Phase.APPLIED), (int) s.count(w, Phase.FAILED),
                    (int) s.count(w, Phase.STALLED), (int) s.count(w, Phase.ROLLING_BACK), (int) s.count(w, Phase.ROLLED_BACK)));
        }
        return out;
    }
}
