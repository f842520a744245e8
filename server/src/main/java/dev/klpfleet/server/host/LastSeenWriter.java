package dev.klpfleet.server.host;

import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Collects check-ins in memory and writes them in one batched transaction per flush, so the
 * database sees one row update per host per flush interval however often hosts check in.
 * Observed state is written only when it differs from the last one written.
 */
public final class LastSeenWriter {
    private final Database db;
    private final Map<String, Pending> pending = new ConcurrentHashMap<>();
    private final Map<String, Observed> written = new ConcurrentHashMap<>();

    private record Pending(long seenAt, Observed observed) {}

    public LastSeenWriter(Database db) {
        this.db = db;
    }

    /** Notes a check-in; it reaches the database at the next {@link #flush}. */
    public void seen(String hostId, long atMillis, Observed observed) {
        pending.put(hostId, new Pending(atMillis, observed));
    }

    /** Writes everything noted so far; returns how many hosts were written. */
    public int flush() {
        if (pending.isEmpty()) {
            return 0;
        }
        List<Map.Entry<String, Pending>> batch = new ArrayList<>();
        for (String id : List.copyOf(pending.keySet())) {
            Pending p = pending.remove(id);
            if (p != null) {
                batch.add(Map.entry(id, p));
            }
        }
        db.inTransaction(h -> {
            PreparedBatch seenOnly = h.prepareBatch("UPDATE hosts SET last_seen_at = :at WHERE id = :id AND last_seen_at < :at");
            PreparedBatch withObserved = h.prepareBatch("UPDATE hosts SET last_seen_at = :at, observed_json = :o WHERE id = :id");
            boolean anySeen = false;
            boolean anyObserved = false;
            for (Map.Entry<String, Pending> e : batch) {
                Pending p = e.getValue();
                if (p.observed().equals(written.get(e.getKey()))) {
                    seenOnly.bind("at", p.seenAt()).bind("id", e.getKey()).add();
                    anySeen = true;
                } else {
                    withObserved.bind("at", p.seenAt()).bind("o", FleetJson.write(p.observed())).bind("id", e.getKey()).add();
                    anyObserved = true;
                }
            }
            if (anySeen) {
                seenOnly.execute();
            }
            if (anyObserved) {
                withObserved.execute();
                // The loaded patches as rows too (CVE exposure joins them), only for hosts whose observed state changed.
                PreparedBatch clear = h.prepareBatch("DELETE FROM host_loaded WHERE host_id = :id");
                PreparedBatch add = h.prepareBatch("INSERT INTO host_loaded (host_id, patch_name, patch_version, state) VALUES (:id, :p, :v, :s) "
                        + "ON CONFLICT (host_id, patch_name) DO NOTHING");
                boolean anyLoaded = false;
                for (Map.Entry<String, Pending> e : batch) {
                    if (!e.getValue().observed().equals(written.get(e.getKey()))) {
                        clear.bind("id", e.getKey()).add();
                        for (dev.klpfleet.protocol.fleet.LoadedPatch p : e.getValue().observed().loaded()) {
                            add.bind("id", e.getKey()).bind("p", p.name()).bind("v", p.version() == null ? "" : p.version())
                                    .bind("s", p.state() == null ? "" : p.state()).add();
                            anyLoaded = true;
                        }
                    }
                }
                clear.execute();
                if (anyLoaded) {
                    add.execute();
                }
            }
            return null;
        });
        for (Map.Entry<String, Pending> e : batch) {
            written.put(e.getKey(), e.getValue().observed());
        }
        return batch.size();
    }
}
