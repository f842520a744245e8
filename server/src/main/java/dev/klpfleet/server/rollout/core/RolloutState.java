package dev.klpfleet.server.rollout.core;

import java.time.Instant;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Everything the rollout engine knows about one rollout; persisted whole after every step so
 * a restarted server continues exactly where the last one stopped.
 *
 * @param wave          index of the newest wave started
 * @param soakStartedAt when every host of waves up to {@code wave} finished; null before
 * @param gatesSince    results before this instant are not held against the gates (set on resume)
 * @param haltReason    why the rollout is not running, or null
 * @param hosts         every targeted host by id, including those with no build
 */
public record RolloutState(Plan plan, Status status, int wave, Instant soakStartedAt, Instant gatesSince,
                           String haltReason, SortedMap<String, HostProgress> hosts) {

    public RolloutState {
        hosts = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(hosts));
    }

    RolloutState with(Status s, String reason) {
        return new RolloutState(plan, s, wave, soakStartedAt, gatesSince, reason, hosts);
    }

    RolloutState withWave(int w, Instant soakStart) {
        return new RolloutState(plan, status, w, soakStart, gatesSince, haltReason, hosts);
    }

    RolloutState withGatesSince(Instant since) {
        return new RolloutState(plan, status, wave, soakStartedAt, since, haltReason, hosts);
    }

    RolloutState withHosts(Map<String, HostProgress> h) {
        return new RolloutState(plan, status, wave, soakStartedAt, gatesSince, haltReason, new TreeMap<>(h));
    }

    /**
     * Whether the engine must still step this rollout: a RUNNING or PAUSED one, always; a finished
     * one (COMPLETED, ABORTED, ROLLED_BACK) only while a host is in flight (still applying, rolling
     * back, or failed to roll back and may yet report unloaded), and then only to absorb those
     * hosts' results: a finished rollout's step never dispatches or evaluates gates.
     */
    public boolean needsSteps() {
        return !status.finished() || hosts.values().stream().anyMatch(h -> h.phase().inFlight());
    }

    /** Hosts in {@code phase}. */
    public long count(Phase phase) {
        return hosts.values().stream().filter(h -> h.phase() == phase).count();
    }

    /** Hosts in wave {@code w} and in {@code phase}. */
    public long count(int w, Phase phase) {
        return hosts.values().stream().filter(h -> h.wave() == w && h.phase() == phase).count();
    }

    /** Hosts assigned to wave {@code w}. */
    public long size(int w) {
        return hosts.values().stream().filter(h -> h.wave() == w).count();
    }
}
