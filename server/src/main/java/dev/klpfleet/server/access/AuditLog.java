package dev.klpfleet.server.access;

import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.Ids;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Every action that changes something or was refused, who did it, from which client address, and how it ended. */
public final class AuditLog {
    private final Database db;
    private final InstantSource clock;

    public AuditLog(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Who acted: a token's id and name ("-" when no token was recognised) and the client address. */
    public record Actor(String tokenId, String tokenName, String source) {
        public static Actor of(Principal.Operator op) {
            return new Actor(op.tokenId(), op.name(), op.from());
        }

        public static Actor of(Principal.Enroller en) {
            return new Actor(en.tokenId(), en.name(), en.from());
        }
    }

    public record Entry(String id, Instant at, String tokenId, String tokenName, String source, String action, String target, String outcome) {}

    /** Records an action in its own transaction (used for refused actions, which write nothing else). */
    public void record(Principal.Operator who, String action, String target, String outcome) {
        record(Actor.of(who), action, target, outcome);
    }

    public void record(Actor who, String action, String target, String outcome) {
        db.inTransaction(h -> {
            record(h, who, action, target, outcome);
            return null;
        });
    }

    /** Records an action inside the transaction that performs it, so both land or neither does. */
    public void record(Handle h, Principal.Operator who, String action, String target, String outcome) {
        record(h, Actor.of(who), action, target, outcome);
    }

    public void record(Handle h, Actor who, String action, String target, String outcome) {
        h.createUpdate("INSERT INTO audit_log (id, at, token_id, token_name, source, action, target, outcome) "
                        + "VALUES (:id, :at, :tid, :tn, :src, :a, :t, :o)")
                .bind("id", Ids.next("aud")).bind("at", clock.millis()).bind("tid", who.tokenId()).bind("tn", who.tokenName())
                .bind("src", who.source() == null ? "" : who.source()).bind("a", action).bind("t", storable(target))
                .bind("o", storable(outcome)).execute();
    }

    /** The newest {@code limit} entries, newest first. */
    public List<Entry> recent(int limit) {
        return olderThan(null, limit);
    }

    /**
     * Up to {@code limit} entries, newest first, older than the one {@code key} names ({@link #key(Entry)}), or
     * from the newest when null: one indexed range read per page, however long the log.
     *
     * @throws IllegalArgumentException for a key this log did not make
     */
    public List<Entry> olderThan(String key, int limit) {
        if (key == null) {
            return db.withHandle(h -> h.createQuery("SELECT * FROM audit_log ORDER BY at DESC, id DESC LIMIT :n").bind("n", limit)
                    .map((rs, ctx) -> entry(rs)).list());
        }
        int colon = key.indexOf(':');
        long at;
        try {
            at = Long.parseLong(key.substring(0, Math.max(0, colon)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an audit cursor");
        }
        String id = key.substring(colon + 1);
        return db.withHandle(h -> h.createQuery("SELECT * FROM audit_log WHERE at < :at OR (at = :at AND id < :id) ORDER BY at DESC, id DESC LIMIT :n")
                .bind("at", at).bind("id", id).bind("n", limit).map((rs, ctx) -> entry(rs)).list());
    }

    /** The paging key of {@code e}: its time and id, the order the log is read in. */
    public static String key(Entry e) {
        return e.at().toEpochMilli() + ":" + e.id();
    }

    private static Entry entry(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Entry(rs.getString("id"), Instant.ofEpochMilli(rs.getLong("at")), rs.getString("token_id"),
                rs.getString("token_name"), rs.getString("source"), rs.getString("action"), rs.getString("target"), rs.getString("outcome"));
    }

    /** Longest target or outcome kept; what a client sent is quoted in them and must not grow the log without bound. */
    static final int MAX_TEXT = 1024;

    /**
     * {@code text} as a row can hold it: a refused request's target may be whatever the client sent, and
     * PostgreSQL refuses NUL in text (SQLite does not), so control characters become '?' and the length is bounded.
     */
    static String storable(String text) {
        if (text == null) {
            return null;
        }
        StringBuilder b = new StringBuilder(Math.min(text.length(), MAX_TEXT));
        for (int i = 0; i < text.length() && b.length() < MAX_TEXT; i++) {
            char ch = text.charAt(i);
            b.append(ch < 0x20 || ch == 0x7f ? '?' : ch);
        }
        return b.toString();
    }
}
