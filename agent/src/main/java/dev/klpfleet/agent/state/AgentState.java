package dev.klpfleet.agent.state;

import dev.klpfleet.protocol.fleet.HostEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the agent must remember across restarts; one JSON file in its data directory.
 *
 * @param hostId     this host's id, once enrolled
 * @param credential this host's bearer credential ({@code klph_…}), once enrolled
 * @param managed    the patches this agent loaded or is loading/unloading, by patch name
 * @param outbox     events decided but not yet acknowledged by the server (201 or 409), oldest first
 * @param failures   operations that failed, by {@link Failures} key, with when: a failed load is not
 *                   retried for the same rollout and artifact; a failed unload is retried after a while
 * @param lastTaint  the taint mask the previous pass saw; null before the first observation
 * @param lastBootId {@code /proc/sys/kernel/random/boot_id} when {@code lastTaint} was seen; null if unknown
 * @param droppedEvents how many events the server refused for good (HTTP 400/413/422) and the agent
 *                   therefore dropped from the outbox, since this data directory was created
 */
public record AgentState(String hostId, String credential, Map<String, ManagedPatch> managed, List<HostEvent> outbox,
                         Map<String, Instant> failures, Long lastTaint, String lastBootId, long droppedEvents) {

    public AgentState {
        managed = managed == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(managed));
        outbox = outbox == null ? List.of() : List.copyOf(outbox);
        failures = failures == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(failures));
    }

    public static AgentState empty() {
        return new AgentState(null, null, Map.of(), List.of(), Map.of(), null, null, 0);
    }

    public boolean enrolled() {
        return hostId != null && credential != null;
    }

    public AgentState enrolled(String id, String cred) {
        return new AgentState(id, cred, managed, outbox, failures, lastTaint, lastBootId, droppedEvents);
    }

    public AgentState withManaged(ManagedPatch p) {
        Map<String, ManagedPatch> m = new TreeMap<>(managed);
        m.put(p.patch(), p);
        return new AgentState(hostId, credential, m, outbox, failures, lastTaint, lastBootId, droppedEvents);
    }

    public AgentState withoutManaged(String patch) {
        Map<String, ManagedPatch> m = new TreeMap<>(managed);
        m.remove(patch);
        return new AgentState(hostId, credential, m, outbox, failures, lastTaint, lastBootId, droppedEvents);
    }

    public AgentState enqueue(HostEvent e) {
        List<HostEvent> o = new ArrayList<>(outbox);
        if (o.stream().noneMatch(x -> x.eventId().equals(e.eventId()))) {
            o.add(e);
        }
        return new AgentState(hostId, credential, managed, o, failures, lastTaint, lastBootId, droppedEvents);
    }

    public AgentState acknowledged(String eventId) {
        List<HostEvent> o = new ArrayList<>(outbox);
        o.removeIf(x -> x.eventId().equals(eventId));
        return new AgentState(hostId, credential, managed, o, failures, lastTaint, lastBootId, droppedEvents);
    }

    public AgentState failed(String key, Instant at) {
        Map<String, Instant> f = new TreeMap<>(failures);
        f.put(key, at);
        return new AgentState(hostId, credential, managed, outbox, f, lastTaint, lastBootId, droppedEvents);
    }

    /** The taint seen now, on the boot {@code bootId} (null if unreadable). */
    public AgentState withTaint(long taint, String bootId) {
        return new AgentState(hostId, credential, managed, outbox, failures, taint, bootId, droppedEvents);
    }

    /** Drops {@code eventId} from the outbox unsent, counting it in {@link #droppedEvents}. */
    public AgentState dropped(String eventId) {
        AgentState a = acknowledged(eventId);
        return new AgentState(hostId, credential, managed, a.outbox, failures, lastTaint, lastBootId, droppedEvents + 1);
    }
}
