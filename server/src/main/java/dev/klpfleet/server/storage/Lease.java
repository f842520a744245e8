package dev.klpfleet.server.storage;

import java.time.Duration;
import java.time.Instant;

/**
 * A named lease row that at most one server process holds at a time. Taken and renewed with
 * one conditional UPDATE (portable to every supported database); a holder that stops renewing
 * loses it after {@code ttl}.
 */
public final class Lease {
    private final Database db;
    private final String name;
    private final String holder;
    private final Duration ttl;

    public Lease(Database db, String name, String holder, Duration ttl) {
        this.db = db;
        this.name = name;
        this.holder = holder;
        this.ttl = ttl;
    }

    /** Takes or renews the lease; true if this holder has it until {@code now + ttl}. */
    public boolean acquire(Instant now) {
        return db.inTransaction(h -> h.createUpdate(
                        "UPDATE leases SET holder = :holder, expires_at = :until "
                                + "WHERE name = :name AND (holder = :holder OR expires_at < :now)")
                .bind("holder", holder)
                .bind("until", now.plus(ttl).toEpochMilli())
                .bind("name", name)
                .bind("now", now.toEpochMilli())
                .execute()) == 1;
    }

    /** Gives the lease up if held, so another process need not wait for it to expire. */
    public void release() {
        db.inTransaction(h -> h.createUpdate("UPDATE leases SET expires_at = 0 WHERE name = :name AND holder = :holder")
                .bind("name", name).bind("holder", holder).execute());
    }

    public String holder() {
        return holder;
    }
}
