package dev.klpfleet.server.access;

import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.Ids;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Every operator action that changes something, who did it, and how it ended. */
public final class AuditLog {
    private final Database db;
    private final InstantSource clock;

    public AuditLog(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    public record Entry(String id, Instant at, String tokenId, String tokenName, String action, String target, String outcome) {}

    /** Records an action in its own transaction (used for refused actions, which write nothing else). */
    public void record(Principal.Operator who, String action, String target, String outcome) {
        db.inTransaction(h -> {
            record(h, who, action, target, outcome);
            return null;
        });
    }

    /** Records an action inside the transaction that performs it, so both land or neither does. */
    public void record(Handle h, Principal.Operator who, String action, String target, String outcome) {
        h.createUpdate("INSERT INTO audit_log (id, at, token_id, token_name, action, target, outcome) VALUES (:id, :at, :tid, :tn, :a, :t, :o)")
                .bind("id", Ids.next("aud")).bind("at", clock.millis()).bind("tid", who.tokenId()).bind("tn", who.name())
                .bind("a", action).bind("t", target).bind("o", outcome).execute();
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT :n").bind("n", limit)
                .map((rs, ctx) -> new Entry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("at")), rs.getString("token_id"),
                        rs.getString("token_name"), rs.getString("action"), rs.getString("target"), rs.getString("outcome")))
                .list());
    }
}
