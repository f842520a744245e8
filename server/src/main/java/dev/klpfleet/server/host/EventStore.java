package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.BadTaint;
import dev.klpfleet.protocol.fleet.CrashHold;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.server.access.AuditLog;
import java.time.Instant;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.metrics.FleetMetrics;
import java.time.InstantSource;
import java.util.Map;

/**
 * Apply, unload and health results hosts report, with their evidence stored as given. Kind and
 * result are stored by their wire names; a result the server does not know is stored as
 * {@code unknown} (its raw value is in the evidence the agent sent) and counted as a failure.
 */
public final class EventStore {
    private final Database db;
    private final InstantSource clock;

    private final FleetMetrics metrics;

    public EventStore(Database db, InstantSource clock) {
        this(db, clock, FleetMetrics.unregistered());
    }

    public EventStore(Database db, InstantSource clock, FleetMetrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.clock = clock;
    }

    /** Why {@code e} cannot be recorded, in one line, or null if it can. */
    public static String problem(HostEvent e) {
        if (e.eventId() == null || e.eventId().isBlank() || e.eventId().length() > 128) {
            return "eventId is required (at most 128 characters)";
        }
        if (e.kind() == null || e.kind() == EventKind.UNKNOWN) {
            return "kind must be one of apply, unload, health";
        }
        if (e.result() == null) {
            return "result is required";
        }
        if (e.kind() != EventKind.HEALTH && (e.patch() == null || e.version() == null)) {
            return e.kind() + " events need patch and version";
        }
        if (e.evidence() != null && !e.evidence().isObject()) {
            return "evidence must be a JSON object";
        }
        return null;
    }

    /**
     * Records that {@code observed.taint()} gained bad flags over {@code previousTaint} as a {@code health}
     * event with result {@code taint}, and stores the new observed state in the same transaction, so a
     * restarted server compares the next check-in with this taint and never reports the same change twice.
     */
    public void recordBadTaint(String hostId, long previousTaint, Observed observed, long nowMillis) {
        long added = BadTaint.added(previousTaint, observed.taint());
        String evidence = FleetJson.write(new java.util.TreeMap<>(Map.of("result", HealthKind.TAINT.wire(), "previousTaint", previousTaint, "taint", observed.taint(),
                "newFlags", BadTaint.letters(added), "source", "check-in")));
        db.inTransaction(h -> {
            h.createUpdate("INSERT INTO host_events (host_id, event_id, kind, patch_name, patch_version, result, evidence_json, "
                            + "occurred_at, received_at) VALUES (:h, :e, :k, NULL, NULL, :r, :ev, :now, :now) "
                            + "ON CONFLICT (host_id, event_id) DO NOTHING")
                    .bind("k", EventKind.HEALTH.wire()).bind("r", HealthKind.TAINT.wire()).bind("h", hostId).bind("e", "checkin-taint-" + nowMillis + "-" + Long.toHexString(observed.taint()))
                    .bind("ev", evidence).bind("now", nowMillis).execute();
            h.createUpdate("UPDATE hosts SET observed_json = :o WHERE id = :id").bind("o", FleetJson.write(observed)).bind("id", hostId).execute();
            return null;
        });
        metrics.event(EventKind.HEALTH, HealthKind.TAINT);
    }

    /** Every {@code crash-suspected} event of {@code hostId}, oldest first, with its clearing if an operator cleared it. */
    public java.util.List<CrashHold> crashHolds(String hostId) {
        return db.withHandle(h -> crashHolds(h, hostId));
    }

    private static java.util.List<CrashHold> crashHolds(org.jdbi.v3.core.Handle h, String hostId) {
        return h.createQuery("SELECT e.event_id, e.patch_name, e.patch_version, e.received_at, c.cleared_at, c.cleared_by, c.reason "
                        + "FROM host_events e LEFT JOIN crash_clears c ON c.host_id = e.host_id AND c.event_id = e.event_id "
                        + "WHERE e.host_id = :h AND e.kind = :k AND e.result = :r ORDER BY e.received_at, e.event_id")
                .bind("h", hostId).bind("k", EventKind.APPLY.wire()).bind("r", ApplyResult.CRASH_SUSPECTED.wire())
                .map((rs, ctx) -> {
                    long cleared = rs.getLong(5);
                    boolean isCleared = !rs.wasNull();
                    return new CrashHold(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)),
                            isCleared ? Instant.ofEpochMilli(cleared) : null, rs.getString(6), rs.getString(7));
                }).list();
    }

    /**
     * Clears every uncleared {@code crash-suspected} event of {@code hostId} for {@code patch}, audited as
     * {@code host.clear-crash} in the same transaction; the host's agent lifts its hold on its next pass.
     *
     * @return the events cleared now (empty when none held)
     */
    public java.util.List<CrashHold> clearCrash(String hostId, String patch, String reason, AuditLog audit, AuditLog.Actor who) {
        long now = clock.millis();
        return db.inTransaction(h -> {
            java.util.List<CrashHold> held = crashHolds(h, hostId).stream()
                    .filter(c -> c.patch().equals(patch) && c.clearedAt() == null).toList();
            for (CrashHold c : held) {
                h.createUpdate("INSERT INTO crash_clears (host_id, event_id, cleared_at, cleared_by, reason) VALUES (:h, :e, :now, :by, :r)")
                        .bind("h", hostId).bind("e", c.eventId()).bind("now", now).bind("by", who.tokenName()).bind("r", reason).execute();
            }
            if (!held.isEmpty()) {
                audit.record(h, who, "host.clear-crash", hostId, "cleared crash-suspected " + patch + " ("
                        + held.stream().map(CrashHold::eventId).collect(java.util.stream.Collectors.joining(", ")) + ")"
                        + (reason == null ? "" : ": " + reason));
            }
            return held.stream().map(c -> new CrashHold(c.eventId(), c.patch(), c.version(), c.reportedAt(), Instant.ofEpochMilli(now),
                    who.tokenName(), reason)).toList();
        });
    }

    /** Records {@code e} for {@code hostId}; false if an event with its id was already recorded (nothing changes). */
    public boolean record(String hostId, HostEvent e) {
        long now = clock.millis();
        boolean recorded = db.inTransaction(h -> {
            boolean fresh = h.createUpdate("INSERT INTO host_events (host_id, event_id, kind, patch_name, patch_version, result, "
                        + "evidence_json, occurred_at, received_at) VALUES (:h, :e, :k, :p, :v, :r, :ev, :o, :now) "
                        + "ON CONFLICT (host_id, event_id) DO NOTHING")
                .bind("h", hostId).bind("e", e.eventId()).bind("k", e.kind().wire()).bind("p", e.patch()).bind("v", e.version())
                .bind("r", e.result().wire()).bind("ev", e.evidence() == null ? "{}" : e.evidence().toString())
                .bind("o", e.occurredAt() == null ? now : e.occurredAt().toEpochMilli()).bind("now", now).execute() == 1;
            if (fresh) {
                // The analytics' narrow rows, written with the event so they never disagree with it.
                dev.klpfleet.server.analytics.EventFacts.record(h, hostId, e, now);
            }
            return fresh;
        });
        if (recorded) {
            metrics.event(e.kind(), e.result());
        }
        return recorded;
    }
}
