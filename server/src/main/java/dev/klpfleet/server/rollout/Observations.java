package dev.klpfleet.server.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.ImpactPaths;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.Observed;
import dev.klpfleet.server.rollout.core.HostReport;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** Reads what the fleet reported into the {@link HostReport}s one rollout step needs. */
final class Observations {
    private Observations() {}

    private record Event(String hostId, EventKind kind, String result, String evidence, long receivedAt) {}

    static Map<String, HostReport> forRollout(Handle h, String patch, String version, Set<String> hostIds) {
        Map<String, HostReport> out = new HashMap<>();
        Map<String, Event> latest = new HashMap<>();
        h.createQuery("SELECT host_id, kind, result, evidence_json, received_at FROM host_events "
                        + "WHERE patch_name = :p AND patch_version = :v AND kind IN ('apply', 'unload') ORDER BY received_at, event_id")
                .bind("p", patch).bind("v", version)
                .map((rs, ctx) -> new Event(rs.getString(1), EventKind.fromWire(rs.getString(2)), rs.getString(3), rs.getString(4), rs.getLong(5)))
                .forEach(e -> latest.put(e.hostId(), e));
        Map<String, Event> health = new HashMap<>();
        // Each host's latest health event only (ties by event id, as for results).
        h.createQuery("SELECT e.host_id, e.result, e.received_at FROM host_events e JOIN (SELECT host_id, MAX(received_at) AS m "
                        + "FROM host_events WHERE kind = 'health' GROUP BY host_id) x ON e.host_id = x.host_id AND e.received_at = x.m "
                        + "WHERE e.kind = 'health' ORDER BY e.event_id")
                .map((rs, ctx) -> new Event(rs.getString(1), EventKind.HEALTH, rs.getString(2), null, rs.getLong(3)))
                .forEach(e -> health.put(e.hostId(), e));
        h.createQuery("SELECT id, last_seen_at, observed_json FROM hosts").map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3)})
                .forEach(row -> {
                    String id = (String) row[0];
                    if (!hostIds.contains(id)) {
                        return;
                    }
                    Event ev = latest.get(id);
                    Observed o = FleetJson.read((String) row[2], Observed.class);
                    Event bad = health.get(id);
                    out.put(id, new HostReport(ev == null ? null : ev.kind().result(ev.result()),
                            ev == null ? null : Instant.ofEpochMilli(ev.receivedAt()), ev == null ? Map.of() : impact(ev.evidence()),
                            Instant.ofEpochMilli((Long) row[1]), o.has(patch, version),
                            bad == null ? null : HealthKind.fromWire(bad.result()), bad == null ? null : Instant.ofEpochMilli(bad.receivedAt()),
                            ev == null ? null : attempt(ev.evidence())));
                });
        return out;
    }

    /**
     * The attempt the agent stamped on a result's evidence ({@code attempt.number}), or null when it
     * names none (an agent from before attempts) or names something that is not a positive whole number.
     */
    static Integer attempt(String evidenceJson) {
        JsonNode n;
        try {
            n = FleetJson.mapper().readTree(evidenceJson).path("attempt").path("number");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return null;
        }
        return n.isIntegralNumber() && n.asInt() >= 1 ? n.asInt() : null;
    }

    /**
     * The numeric values under the evidence's {@code impact} object by dotted path (the agent nests
     * them per phase: {@code impact.insmod.ksoftirqdMaxDelayNanos}); null and absent values are left out.
     */
    static Map<String, Double> impact(String evidenceJson) {
        JsonNode impact;
        try {
            impact = FleetJson.mapper().readTree(evidenceJson).path("impact");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Map.of();
        }
        Map<String, Double> m = new HashMap<>();
        for (String path : ImpactPaths.ALL) {
            JsonNode v = impact.at(ImpactPaths.pointer(path));
            if (v.isNumber()) {
                m.put(path, v.asDouble());
            }
        }
        return m;
    }
}
