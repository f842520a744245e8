package dev.klpfleet.server.rollout.core;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
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
 * @param hosts         the hosts this step may look at and move, by id: every targeted host (including
 *                      those with no build) when the state is whole, or only a window of them (the
 *                      hosts with news, the next pending ones) when the rest live in storage
 * @param tally         every host's wave and phase counted, window or not; derived from {@code hosts} when null
 */
public record RolloutState(Plan plan, Status status, int wave, Instant soakStartedAt, Instant gatesSince,
                           String haltReason, SortedMap<String, HostProgress> hosts, Tally tally) {

    public RolloutState {
        hosts = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(hosts));
        if (tally == null) {
            tally = Tally.of(hosts.values(), plan.waves().size(), gatesSince);
        }
    }

    /** A whole state: {@code hosts} holds every host of the rollout. */
    public RolloutState(Plan plan, Status status, int wave, Instant soakStartedAt, Instant gatesSince,
                        String haltReason, SortedMap<String, HostProgress> hosts) {
        this(plan, status, wave, soakStartedAt, gatesSince, haltReason, hosts, null);
    }

    /** The same rollout with {@code window} as the hosts it may look at; the tally still counts them all. */
    public RolloutState withWindow(SortedMap<String, HostProgress> window) {
        return new RolloutState(plan, status, wave, soakStartedAt, gatesSince, haltReason, window, tally);
    }

    RolloutState with(Status s, String reason) {
        return new RolloutState(plan, s, wave, soakStartedAt, gatesSince, reason, hosts, tally);
    }

    RolloutState withWave(int w, Instant soakStart) {
        return new RolloutState(plan, status, w, soakStart, gatesSince, haltReason, hosts, tally);
    }

    /** The gates count afresh from {@code since}: only window hosts can have begun their phase at or after it. */
    RolloutState withGatesSince(Instant since) {
        Tally.Counter c = tally.counter();
        c.regate(hosts.values(), since);
        return new RolloutState(plan, status, wave, soakStartedAt, since, haltReason, hosts, c.tally());
    }

    /** The window with some of its hosts moved ({@code h} holds the window's hosts, moved or not); the tally follows. */
    RolloutState withHosts(Map<String, HostProgress> h) {
        Tally.Counter c = tally.counter();
        for (HostProgress next : h.values()) {
            HostProgress before = hosts.get(next.hostId());
            if (before == null) {
                throw new IllegalStateException("host " + next.hostId() + " moved but is not in the step's window");
            }
            if (!before.equals(next)) {
                c.moved(before, next, gatesSince);
            }
        }
        return new RolloutState(plan, status, wave, soakStartedAt, gatesSince, haltReason, new TreeMap<>(h), c.tally());
    }

    /** The same state with impact values of hosts that just finished folded into the tally's maxima. */
    RolloutState withImpact(Map<String, Double> seen) {
        return new RolloutState(plan, status, wave, soakStartedAt, gatesSince, haltReason, hosts, tally.withImpact(seen));
    }

    /** The window with {@code h} and every other host in {@code from} moved to {@code to} at {@code at}. */
    RolloutState withShift(Map<String, HostProgress> h, Set<Phase> from, Phase to, Instant at) {
        Tally.Counter c = tally.counter();
        c.shift(from, to, at, gatesSince);
        return new RolloutState(plan, status, wave, soakStartedAt, gatesSince, haltReason, new TreeMap<>(h), c.tally());
    }

    /**
     * Whether the engine must still step this rollout: a RUNNING or PAUSED one, always; a finished
     * one (COMPLETED, ABORTED, ROLLED_BACK) only while a host is in flight (still applying, rolling
     * back, or failed to roll back and may yet report unloaded), and then only to absorb those
     * hosts' results: a finished rollout's step never dispatches or evaluates gates.
     */
    public boolean needsSteps() {
        return !status.finished() || tally.inFlight() > 0;
    }

    /** Hosts in {@code phase}, window or not. */
    public long count(Phase phase) {
        return tally.count(phase);
    }

    /** Hosts in wave {@code w} and in {@code phase}, window or not. */
    public long count(int w, Phase phase) {
        return tally.count(w, phase);
    }

    /** Hosts assigned to wave {@code w}, window or not. */
    public long size(int w) {
        return tally.size(w);
    }
}
