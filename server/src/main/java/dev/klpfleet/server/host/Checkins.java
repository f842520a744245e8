package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.CheckinRequest;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The check-in hot path: notes the host's observed state for the batched writer and answers
 * its desired set from memory. Touches the database only when the host's kernel release changed.
 */
public final class Checkins {
    private final HostStore hosts;
    private final DesiredSets desired;
    private final LastSeenWriter lastSeen;
    private final InstantSource clock;
    private final Map<String, String> kernelOf = new ConcurrentHashMap<>();

    public Checkins(HostStore hosts, DesiredSets desired, LastSeenWriter lastSeen, InstantSource clock) {
        this.hosts = hosts;
        this.desired = desired;
        this.lastSeen = lastSeen;
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
        String known = kernelOf.computeIfAbsent(hostId, id -> hosts.get(id).map(HostView::kernelRelease).orElse(""));
        if (!known.equals(req.kernelRelease())) {
            hosts.changeKernel(hostId, req.kernelRelease());
            kernelOf.put(hostId, req.kernelRelease());
            desired.invalidate();
        }
        lastSeen.seen(hostId, clock.millis(), new Observed(req.loaded() == null ? List.of() : req.loaded(), req.taint()));
        return desired.forHost(hostId);
    }
}
