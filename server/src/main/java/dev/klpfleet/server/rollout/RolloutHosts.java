package dev.klpfleet.server.rollout;

import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.Observed;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Each rollout's hosts in {@code rollout_hosts}, and the window one step reads: the hosts with
 * events past the rollout's cursor, the next pending hosts the cap could take, hosts rolling back
 * that checked in since, hosts told to apply that went silent, and (once a minute) the hosts still
 * applying. What a step reads thus follows what changed, not the rollout's size.
 */
final class RolloutHosts {
    private RolloutHosts() {}

    /**
     * Events are read again for this long after they were received, so one a slower transaction
     * (or a server whose clock lags the engine's by less than this) commits late is still seen.
     */
    static final Duration EVENT_MARGIN = Duration.ofSeconds(5);
    /** How often the hosts still applying have their latest result read again, whatever the cursor says. */
    static final Duration SWEEP_EVERY = Duration.ofMinutes(1);
    /** Largest IN list of one query. */
    private static final int CHUNK = 500;

    /** A step's input read from storage, and the cursor to store with its result. */
    record Window(RolloutState state, Map<String, HostReport> reports, long cursor) {}

    private record Event(String hostId, EventKind kind, String result, String evidence, long receivedAt) {}

    private static HostProgress progress(ResultSet rs, int first) throws SQLException {
        long nb = rs.getLong(first + 6);
        Instant notBefore = rs.wasNull() ? null : Instant.ofEpochMilli(nb);
        return new HostProgress(rs.getString(first), rs.getInt(first + 1), Phase.valueOf(rs.getString(first + 2)),
                Instant.ofEpochMilli(rs.getLong(first + 3)), rs.getString(first + 4), rs.getInt(first + 5), notBefore);
    }

    /**
     * Phases a result can move a host out of (applying, unloading): results for hosts in others are
     * not read again, so the cursor's margin costs only hosts that can still move.
     */
    private static final List<String> MOVING = java.util.Arrays.stream(Phase.values())
            .filter(Phase::inFlight).map(Phase::name).sorted().toList();
    /** Phases whose hosts' health the gates judge: told to apply, or finished applying. */
    private static final List<String> GATED = java.util.Arrays.stream(Phase.values())
            .filter(p -> p.applying() || p.finishedApply()).map(Phase::name).sorted().toList();
    /** Phases whose hosts hold a slot under the plan's cap: a first attempt or a retry. */
    private static final List<String> APPLYING = java.util.Arrays.stream(Phase.values())
            .filter(Phase::applying).map(Phase::name).sorted().toList();

    /** Phases whose hosts the silence gate expects to keep checking in: told to apply (again), or applied. */
    private static final List<String> MEANT_UP = java.util.Arrays.stream(Phase.values())
            .filter(p -> p.applying() || p == Phase.APPLIED).map(Phase::name).sorted().toList();

    private static final String COLUMNS = "rh.host_id, rh.wave, rh.phase, rh.since_at, rh.result, rh.attempt, rh.not_before";

    /** Reads the window of {@code head} (a state with no hosts, only its tally) as of {@code now}. */
    static Window read(Handle h, String rolloutId, String patch, String version, RolloutState head, long cursor, boolean sweep, Instant now) {
        Map<String, HostProgress> window = new TreeMap<>();
        Map<String, Event> results = new HashMap<>();
        Map<String, Event> health = new HashMap<>();
        long from = Math.max(0, cursor - EVENT_MARGIN.toMillis());
        h.createQuery("SELECT e.host_id, e.kind, e.result, e.evidence_json, e.received_at, " + COLUMNS + " FROM host_events e "
                        // CROSS JOIN keeps SQLite on the events' received_at index (a scan of the new events, not of the rollout's hosts).
                        + "CROSS JOIN rollout_hosts rh "
                        + "WHERE rh.rollout_id = :id AND rh.host_id = e.host_id AND e.received_at > :from AND ((e.kind = 'health' AND rh.phase IN (<gated>) AND e.received_at >= :gates) "
                        + "OR (e.kind IN ('apply', 'unload') AND e.patch_name = :p AND e.patch_version = :v AND (rh.phase IN (<moving>) "
                        // An applied host reports crash-suspected after the boot that followed its apply.
                        + "OR (rh.phase = 'APPLIED' AND e.kind = 'apply' AND e.result = :crashed)))) "
                        + "ORDER BY e.received_at, e.event_id")
                .bind("id", rolloutId).bind("from", from).bind("p", patch).bind("v", version)
                .bind("gates", head.gatesSince().toEpochMilli()).bindList("gated", GATED).bindList("moving", MOVING)
                .bind("crashed", dev.klpfleet.protocol.outcome.ApplyResult.CRASH_SUSPECTED.wire())
                .map((rs, ctx) -> {
                    window.put(rs.getString(6), progress(rs, 6));
                    return new Event(rs.getString(1), EventKind.fromWire(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getLong(5));
                })
                .forEach(e -> (e.kind() == EventKind.HEALTH ? health : results).put(e.hostId(), e));
        boolean live = !head.status().finished();
        if (sweep && applying(head) > 0) {
            // Results the cursor missed (a server clock far behind) would hold a slot forever: read the applying hosts' own.
            List<HostProgress> applying = h.createQuery("SELECT " + COLUMNS + " FROM rollout_hosts rh WHERE rh.rollout_id = :id AND rh.phase IN (<applying>)")
                    .bind("id", rolloutId).bindList("applying", APPLYING).map((rs, ctx) -> progress(rs, 1)).list();
            for (List<String> ids : chunks(applying.stream().map(HostProgress::hostId).toList())) {
                h.createQuery("SELECT host_id, kind, result, evidence_json, received_at FROM host_events WHERE host_id IN (<ids>) "
                                + "AND kind = 'apply' AND patch_name = :p AND patch_version = :v ORDER BY received_at, event_id")
                        .bindList("ids", ids).bind("p", patch).bind("v", version)
                        .map((rs, ctx) -> new Event(rs.getString(1), EventKind.APPLY, rs.getString(3), rs.getString(4), rs.getLong(5)))
                        .forEach(e -> results.merge(e.hostId(), e, (a, b) -> b.receivedAt() >= a.receivedAt() ? b : a));
            }
            applying.forEach(p -> window.putIfAbsent(p.hostId(), p));
        }
        if (head.count(Phase.ROLLING_BACK) + head.count(Phase.ROLLBACK_FAILED) > 0) {
            h.createQuery("SELECT " + COLUMNS + " FROM rollout_hosts rh CROSS JOIN hosts x WHERE x.id = rh.host_id AND rh.rollout_id = :id "
                            + "AND rh.phase IN ('ROLLING_BACK', 'ROLLBACK_FAILED') AND x.last_seen_at > rh.since_at")
                    .bind("id", rolloutId).map((rs, ctx) -> progress(rs, 1)).forEach(p -> window.putIfAbsent(p.hostId(), p));
        }
        if (head.status() == Status.RUNNING) {
            long cut = now.minus(head.plan().gates().silenceAfterApply()).toEpochMilli();
            if (head.gatesSince().toEpochMilli() < cut) {
                h.createQuery("SELECT " + COLUMNS + " FROM hosts x CROSS JOIN rollout_hosts rh "
                                // Hosts first, by their last_seen_at index: the silent ones, not every host of the rollout.
                                + "WHERE rh.host_id = x.id AND rh.rollout_id = :id AND x.last_seen_at < :cut AND rh.phase IN (<up>) AND rh.since_at < :cut ORDER BY rh.host_id LIMIT 5")
                        .bind("id", rolloutId).bind("cut", cut).bindList("up", MEANT_UP).map((rs, ctx) -> progress(rs, 1))
                        .forEach(p -> window.putIfAbsent(p.hostId(), p));
            }
        }
        if (live) {
            // Only a dispatched host in the window can free a slot in this step.
            long applyingInWindow = window.values().stream().filter(p -> p.phase().applying()).count();
            long free = head.plan().maxConcurrent() - applying(head) + applyingInWindow;
            long n = Math.min(free, head.count(Phase.PENDING));
            if (n > 0) {
                h.createQuery("SELECT " + COLUMNS + " FROM rollout_hosts rh WHERE rh.rollout_id = :id AND rh.phase = 'PENDING' "
                                + "ORDER BY rh.wave, rh.host_id LIMIT :n")
                        .bind("id", rolloutId).bind("n", n).map((rs, ctx) -> progress(rs, 1)).forEach(p -> window.putIfAbsent(p.hostId(), p));
            }
        }
        // A finished host's gate counts any bad health since the gates started, even one reported before it was dispatched.
        List<String> needHealth = results.keySet().stream().filter(id -> !health.containsKey(id)).sorted().toList();
        for (List<String> ids : chunks(needHealth)) {
            h.createQuery("SELECT host_id, result, received_at FROM host_events WHERE host_id IN (<ids>) AND kind = 'health' "
                            + "AND received_at >= :since ORDER BY received_at, event_id")
                    .bindList("ids", ids).bind("since", head.gatesSince().toEpochMilli())
                    .map((rs, ctx) -> new Event(rs.getString(1), EventKind.HEALTH, rs.getString(2), null, rs.getLong(3)))
                    .forEach(e -> health.put(e.hostId(), e));
        }
        Map<String, HostReport> reports = new HashMap<>();
        List<String> seen = window.values().stream().filter(p -> p.phase() != Phase.PENDING).map(HostProgress::hostId).toList();
        for (List<String> ids : chunks(seen)) {
            h.createQuery("SELECT id, last_seen_at, observed_json FROM hosts WHERE id IN (<ids>)").bindList("ids", ids)
                    .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3)})
                    .forEach(row -> {
                        String id = (String) row[0];
                        Event ev = results.get(id);
                        Event bad = health.get(id);
                        Observed o = FleetJson.read((String) row[2], Observed.class);
                        reports.put(id, new HostReport(ev == null ? null : ev.kind().result(ev.result()),
                                ev == null ? null : Instant.ofEpochMilli(ev.receivedAt()), ev == null ? Map.of() : Observations.impact(ev.evidence()),
                                Instant.ofEpochMilli((Long) row[1]), o.has(patch, version),
                                bad == null ? null : HealthKind.fromWire(bad.result()), bad == null ? null : Instant.ofEpochMilli(bad.receivedAt()),
                                ev == null ? null : Observations.attempt(ev.evidence())));
                    });
        }
        long next = Math.max(cursor, now.toEpochMilli());
        return new Window(head.withWindow(new TreeMap<>(window)), reports, next);
    }

    /** Inserts every host of a new rollout's whole state in batches. */
    static void insertAll(Handle h, String rolloutId, RolloutState whole) {
        upsert(h, rolloutId, whole.hosts().values());
    }

    /**
     * Writes a committed step's host changes: a rollback first moves every host meant to have the
     * patch (window or not), then each window host whose progress changed is written.
     */
    static void write(Handle h, String rolloutId, RolloutState before, RolloutCore.Step step, boolean rolledBack, Instant now) {
        if (rolledBack) {
            h.createUpdate("UPDATE rollout_hosts SET phase = 'ROLLING_BACK', since_at = :now, result = NULL, not_before = NULL "
                            + "WHERE rollout_id = :id AND phase IN (<phases>)")
                    .bind("now", now.toEpochMilli()).bind("id", rolloutId)
                    .bindList("phases", RolloutCore.WANTS_PATCH.stream().map(Phase::name).sorted().toList()).execute();
        }
        List<HostProgress> changed = new ArrayList<>();
        for (HostProgress p : step.state().hosts().values()) {
            if (!p.equals(before.hosts().get(p.hostId()))) {
                changed.add(p);
            }
        }
        upsert(h, rolloutId, changed);
    }

    private static void upsert(Handle h, String rolloutId, java.util.Collection<HostProgress> hosts) {
        if (hosts.isEmpty()) {
            return;
        }
        PreparedBatch b = h.prepareBatch("INSERT INTO rollout_hosts (rollout_id, host_id, wave, phase, since_at, result, attempt, not_before) "
                + "VALUES (:r, :h, :w, :p, :s, :x, :a, :nb) ON CONFLICT (rollout_id, host_id) DO UPDATE SET wave = excluded.wave, "
                + "phase = excluded.phase, since_at = excluded.since_at, result = excluded.result, attempt = excluded.attempt, "
                + "not_before = excluded.not_before");
        int n = 0;
        for (HostProgress p : hosts) {
            b.bind("r", rolloutId).bind("h", p.hostId()).bind("w", (long) p.wave()).bind("p", p.phase().name())
                    .bind("s", p.since().toEpochMilli()).bind("x", p.result()).bind("a", (long) p.attempt())
                    .bind("nb", p.notBefore() == null ? null : p.notBefore().toEpochMilli()).add();
            if (++n % 1000 == 0) {
                b.execute();
            }
        }
        if (n % 1000 != 0) {
            b.execute();
        }
    }

    /** One page of a rollout's hosts in host id order, after {@code afterHostId} (null: from the start). */
    static List<HostProgress> page(Handle h, String rolloutId, String afterHostId, int limit) {
        return h.createQuery("SELECT " + COLUMNS + " FROM rollout_hosts rh WHERE rh.rollout_id = :id AND rh.host_id > :after "
                        + "ORDER BY rh.host_id LIMIT :n")
                .bind("id", rolloutId).bind("after", afterHostId == null ? "" : afterHostId).bind("n", limit)
                .map((rs, ctx) -> progress(rs, 1)).list();
    }

    /**
     * The hosts of a rollout that want its patch ({@link RolloutCore#WANTS_PATCH}) into {@code wanting},
     * and the attempt of those past their first into {@code retried}: one read for the desired-set cache.
     */
    static void wanting(Handle h, String rolloutId, Set<String> wanting, Map<String, DesiredAttempt> retried) {
        h.createQuery("SELECT host_id, attempt, not_before FROM rollout_hosts WHERE rollout_id = :id AND phase IN (<phases>)")
                .bind("id", rolloutId).bindList("phases", RolloutCore.WANTS_PATCH.stream().map(Phase::name).sorted().toList())
                .map((rs, ctx) -> {
                    String host = rs.getString(1);
                    int attempt = rs.getInt(2);
                    long nb = rs.getLong(3);
                    DesiredAttempt a = DesiredAttempt.of(attempt, rs.wasNull() ? null : Instant.ofEpochMilli(nb));
                    wanting.add(host);
                    if (!a.first()) {
                        retried.put(host, a);
                    }
                    return host;
                }).forEach(x -> {});
    }

    /** How many of {@code head}'s hosts hold a slot under its cap, window or not. */
    private static long applying(RolloutState head) {
        long n = 0;
        for (Phase p : Phase.values()) {
            if (p.applying()) {
                n += head.count(p);
            }
        }
        return n;
    }

    /** The ids of a rollout's hosts in {@code phases}, in host id order. */
    static List<String> inPhase(Handle h, String rolloutId, Set<Phase> phases) {
        return h.createQuery("SELECT host_id FROM rollout_hosts WHERE rollout_id = :id AND phase IN (<phases>) ORDER BY host_id")
                .bind("id", rolloutId).bindList("phases", phases.stream().map(Phase::name).sorted().collect(Collectors.toList()))
                .mapTo(String.class).list();
    }

    private static List<List<String>> chunks(List<String> ids) {
        List<List<String>> out = new ArrayList<>();
        for (int i = 0; i < ids.size(); i += CHUNK) {
            out.add(ids.subList(i, Math.min(ids.size(), i + CHUNK)));
        }
        return out;
    }
}
