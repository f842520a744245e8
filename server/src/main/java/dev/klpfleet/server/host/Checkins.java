package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.BadTaint;
import dev.klpfleet.protocol.fleet.CheckinRequest;
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

    private record Known(String kernelRelease, long taint) {}

    public Checkins(HostStore hosts, DesiredSets desired, LastSeenWriter lastSeen, EventStore events, InstantSource clock) {
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

    /** Records the check-in and returns the host's current desired set. */
    public Desired checkin(String hostId, CheckinRequest req) {
        long now = clock.millis();
        Observed observed = new Observed(req.loaded() == null ? List.of() : req.loaded(), req.taint());
        Known k = known.get(hostId);
        if (k == null || k.taint() != req.taint() || !k.kernelRelease().equals(req.kernelRelease())) {
            changed(hostId, req, observed, now);
        }
        lastSeen.seen(hostId, now, observed);
        return desired.forHost(hostId);
    }

    /** The slow path: something about the host itself changed since this process last saw it. */
    private void changed(String hostId, CheckinRequest req, Observed observed, long now) {
        Known before = known.get(hostId);
        if (before == null) {
            before = hosts.get(hostId).map(v -> new Known(v.kernelRelease(), v.taint())).orElse(new Known("", 0));
        }
        if (!before.kernelRelease().equals(req.kernelRelease())) {
            long generation = hosts.changeKernel(hostId, req.kernelRelease());
            desired.kernelChanged(hostId, req.kernelRelease(), generation);
        }
        long added = BadTaint.added(before.taint(), req.taint());
        if (added != 0) {
            events.recordBadTaint(hostId, before.taint(), observed, now);
        }
        known.put(hostId, new Known(req.kernelRelease(), req.taint()));
    }
}
