package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.BadTaint;
import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.LoadedPatch;
import dev.klpfleet.server.metrics.FleetMetrics;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The check-in hot path: notes the host's observed state for the batched writer and answers
 * its desired set from memory. Touches the database only when the host's kernel release changed,
 * or when its taint gained a bad flag (recorded at once as a {@code health} event the rollout gates see).
 */
public final class Checkins {
    private final HostStore hosts;
    private final DesiredSets desired;
    private final LastSeenWriter lastSeen;
    private final EventStore events;
    private final InstantSource clock;
    /** What this process last knew of each host's kernel and taint; loaded from the database on first sight. */
    private final Map<String, Known> known = new ConcurrentHashMap<>();

    /** @param taint the last taint the host could read; null while it never could */
    private record Known(String kernelRelease, Long taint) {}

    private final FleetMetrics metrics;

    public Checkins(HostStore hosts, DesiredSets desired, LastSeenWriter lastSeen, EventStore events, InstantSource clock) {
        this(hosts, desired, lastSeen, events, clock, FleetMetrics.unregistered());
    }

    public Checkins(HostStore hosts, DesiredSets desired, LastSeenWriter lastSeen, EventStore events, InstantSource clock,
                    FleetMetrics metrics) {
        this.metrics = metrics;
        this.hosts = hosts;
        this.desired = desired;
        this.lastSeen = lastSeen;
        this.events = events;
        this.clock = clock;
    }

    /** Why the check-in is unusable, in one line, or null. */
    public static String problem(CheckinRequest req) {
        if (req.kernelRelease() == null || req.kernelRelease().isBlank()) {
            return "kernelRelease is required";
        }
        if (req.loaded() != null && req.loaded().stream().anyMatch(p -> p == null || p.name() == null)) {
            return "every loaded patch needs a name";
        }
        return null;
    }

    /**
     * Records the check-in and returns the host's current desired set. A check-in without taint
     * (the agent could not read it) compares with nothing and keeps the last known taint.
     */
    public Desired checkin(String hostId, CheckinRequest req) {
        long started = System.nanoTime();
        long now = clock.millis();
        List<LoadedPatch> loaded = req.loaded() == null ? List.of() : req.loaded();
        Known k = known.get(hostId);
        boolean taintChanged = k != null && req.taint() != null && !req.taint().equals(k.taint());
        if (k == null || taintChanged || !k.kernelRelease().equals(req.kernelRelease())) {
            k = changed(hostId, req, loaded, now);
        }
        lastSeen.seen(hostId, now, new Observed(loaded, k.taint()));
        Desired d = desired.forHost(hostId);
        metrics.checkin(System.nanoTime() - started);
        return d;
    }

    /** The slow path: something about the host itself changed since this process last saw it. */
    private Known changed(String hostId, CheckinRequest req, List<LoadedPatch> loaded, long now) {
        Known before = known.get(hostId);
        if (before == null) {
            before = hosts.get(hostId).map(v -> new Known(v.kernelRelease(), v.taint())).orElse(new Known("", null));
        }
        if (!before.kernelRelease().equals(req.kernelRelease())) {
            long generation = hosts.changeKernel(hostId, req.kernelRelease());
            desired.kernelChanged(hostId, req.kernelRelease(), generation);
        }
        Long taint = req.taint() == null ? before.taint() : req.taint();
        if (req.taint() != null) {
            // A host never read before is compared with a clean kernel, as on its first check-in.
            long previous = before.taint() == null ? 0 : before.taint();
            if (BadTaint.added(previous, req.taint()) != 0) {
                events.recordBadTaint(hostId, previous, new Observed(loaded, taint), now);
            }
        }
        Known next = new Known(req.kernelRelease(), taint);
        known.put(hostId, next);
        return next;
    }
}
