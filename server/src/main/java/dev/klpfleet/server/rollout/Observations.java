package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.HostReport;
import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.Observed;
import dev.klpfleet.protocol.outcome.EventKind;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/** Reads what the fleet reported into the {@link HostReport}s one rollout step needs. */
final class Observations {
    private Observations() {}

    static Map<String, HostReport> forRollout(Handle h, String patch, String version, Set<String> hostIds) {
        Map<String, HostReport> out = new HashMap<>();
        Map<String, String[]> latest = new HashMap<>();
        h.createQuery("SELECT host_id, result, evidence_json, received_at, kind FROM host_events "
                        + "WHERE patch_name = :p AND patch_version = :v AND kind IN ('apply', 'unload') ORDER BY received_at, event_id")
                .bind("p", patch).bind("v", version)
                .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), Long.toString(rs.getLong(4)), rs.getString(5)})
                .forEach(r -> latest.put(r[0], r));
        Map<String, Long> health = new HashMap<>();
        h.createQuery("SELECT host_id, MAX(received_at) FROM host_events WHERE kind = 'health' GROUP BY host_id")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2)))
                .forEach(e -> health.put(e.getKey(), e.getValue()));
        h.createQuery("SELECT id, last_seen_at, observed_json FROM hosts").map((rs, ctx) -> new Object[] {rs.getString(1), rs.getLong(2), rs.getString(3)})
                .forEach(row -> {
                    String id = (String) row[0];
                    if (!hostIds.contains(id)) {
                        return;
                    }
                    String[] ev = latest.get(id);
                    Observed o = FleetJson.read((String) row[2], Observed.class);
                    Long bad = health.get(id);
                    out.put(id, new HostReport(ev == null ? null : EventKind.fromWire(ev[4]).result(ev[1]), ev == null ? null : Instant.ofEpochMilli(Long.parseLong(ev[3])),
                            ev == null ? Map.of() : impact(ev[2]), Instant.ofEpochMilli((Long) row[1]), o.has(patch, version),
                            bad == null ? null : Instant.ofEpochMilli(bad)));
                });
        return out;
    }

    /** The numeric fields of the evidence's {@code impact} object. */
    private static Map<String, Double> impact(String evidenceJson) {
        try {
            JsonNode impact = FleetJson.mapper().readTree(evidenceJson).path("impact");
            Map<String, Double> m = new HashMap<>();
            impact.fields().forEachRemaining(e -> {
                if (e.getValue().isNumber()) {
                    m.put(e.getKey(), e.getValue().asDouble());
                }
            });
            return m;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return Map.of();
        }
    }
}
