package dev.klpfleet.agent.state;

import dev.klpfleet.protocol.fleet.HostEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
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
 * @param loads      the crash guard's marks: loads started on the current boot (or on one that has
 *                   not been judged yet), by patch name
 * @param lastCheckin the last check-in answered on the boot of the newest load mark; null if none
 * @param crashSuspects patches not to load again until an operator clears them, by patch name
 */
public record AgentState(String hostId, String credential, Map<String, ManagedPatch> managed, List<HostEvent> outbox,
                         Map<String, Instant> failures, Long lastTaint, String lastBootId, long droppedEvents,
                         Map<String, LoadMark> loads, BootCheckin lastCheckin, Map<String, CrashSuspect> crashSuspects) {

    public AgentState {
        managed = sorted(managed);
        outbox = outbox == null ? List.of() : List.copyOf(outbox);
        failures = sorted(failures);
        loads = sorted(loads);
        crashSuspects = sorted(crashSuspects);
    }

    /** A state file written before the crash guard existed reads with no marks, no check-in and no suspects. */
    public AgentState(String hostId, String credential, Map<String, ManagedPatch> managed, List<HostEvent> outbox,
                      Map<String, Instant> failures, Long lastTaint, String lastBootId, long droppedEvents) {
        this(hostId, credential, managed, outbox, failures, lastTaint, lastBootId, droppedEvents, Map.of(), null, Map.of());
    }

    public static AgentState empty() {
        return new AgentState(null, null, Map.of(), List.of(), Map.of(), null, null, 0);
    }

    public boolean enrolled() {
        return hostId != null && credential != null;
    }

    public AgentState enrolled(String id, String cred) {
        return new AgentState(id, cred, managed, outbox, failures, lastTaint, lastBootId, droppedEvents, loads, lastCheckin, crashSuspects);
    }

    public AgentState withManaged(ManagedPatch p) {
        Map<String, ManagedPatch> m = new TreeMap<>(managed);
        m.put(p.patch(), p);
        return withManagedMap(m);
    }

    public AgentState withoutManaged(String patch) {
        Map<String, ManagedPatch> m = new TreeMap<>(managed);
        m.remove(patch);
        return withManagedMap(m);
    }

    private AgentState withManagedMap(Map<String, ManagedPatch> m) {
        return new AgentState(hostId, credential, m, outbox, failures, lastTaint, lastBootId, droppedEvents, loads, lastCheckin, crashSuspects);
    }

    public AgentState enqueue(HostEvent e) {
        List<HostEvent> o = new ArrayList<>(outbox);
        if (o.stream().noneMatch(x -> x.eventId().equals(e.eventId()))) {
            o.add(e);
        }
        return withOutbox(o, droppedEvents);
    }

    public AgentState acknowledged(String eventId) {
        List<HostEvent> o = new ArrayList<>(outbox);
        o.removeIf(x -> x.eventId().equals(eventId));
        return withOutbox(o, droppedEvents);
    }

    private AgentState withOutbox(List<HostEvent> o, long dropped) {
        return new AgentState(hostId, credential, managed, o, failures, lastTaint, lastBootId, dropped, loads, lastCheckin, crashSuspects);
    }

    public AgentState failed(String key, Instant at) {
        Map<String, Instant> f = new TreeMap<>(failures);
        f.put(key, at);
        return new AgentState(hostId, credential, managed, outbox, f, lastTaint, lastBootId, droppedEvents, loads, lastCheckin, crashSuspects);
    }

    /** The taint seen now, on the boot {@code bootId} (null if unreadable). */
    public AgentState withTaint(long taint, String bootId) {
        return new AgentState(hostId, credential, managed, outbox, failures, taint, bootId, droppedEvents, loads, lastCheckin, crashSuspects);
    }

    /** Drops {@code eventId} from the outbox unsent, counting it in {@link #droppedEvents}. */
    public AgentState dropped(String eventId) {
        return withOutbox(acknowledged(eventId).outbox, droppedEvents + 1);
    }

    /** Records (or replaces) the crash guard's mark of a load of {@code m.patch()}. */
    public AgentState marked(LoadMark m) {
        Map<String, LoadMark> l = new TreeMap<>(loads);
        l.put(m.patch(), m);
        return withLoads(l);
    }

    /** Forgets the mark of {@code patch}: it was unloaded, its load failed cleanly, or a later boot judged it. */
    public AgentState unmarked(String patch) {
        Map<String, LoadMark> l = new TreeMap<>(loads);
        l.remove(patch);
        return withLoads(l);
    }

    private AgentState withLoads(Map<String, LoadMark> l) {
        return new AgentState(hostId, credential, managed, outbox, failures, lastTaint, lastBootId, droppedEvents, l, lastCheckin, crashSuspects);
    }

    public AgentState checkedIn(BootCheckin c) {
        return new AgentState(hostId, credential, managed, outbox, failures, lastTaint, lastBootId, droppedEvents, loads, c, crashSuspects);
    }

    public AgentState suspected(CrashSuspect s) {
        Map<String, CrashSuspect> c = new TreeMap<>(crashSuspects);
        c.put(s.patch(), s);
        return withSuspects(c);
    }

    /** Lifts the hold on {@code patch}: an operator cleared its crash-suspected event. */
    public AgentState cleared(String patch) {
        Map<String, CrashSuspect> c = new TreeMap<>(crashSuspects);
        c.remove(patch);
        return withSuspects(c);
    }

    private AgentState withSuspects(Map<String, CrashSuspect> c) {
        return new AgentState(hostId, credential, managed, outbox, failures, lastTaint, lastBootId, droppedEvents, loads, lastCheckin, c);
    }

    private static <K extends Comparable<K>, V> Map<K, V> sorted(Map<K, V> m) {
        return m == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(m));
    }
}
