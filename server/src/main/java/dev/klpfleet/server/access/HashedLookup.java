package dev.klpfleet.server.access;

import dev.klpfleet.server.storage.Database;
import java.util.Optional;

/**
 * Finds the row a presented secret belongs to: by its keyed hash, else by the plain SHA-256 of a
 * row from before keyed hashes, which is then re-hashed in place (the token is known only now).
 */
public final class HashedLookup {
    private HashedLookup() {}

    /**
     * The id of the row of {@code table} whose {@code column} holds the hash of {@code secret}, revoked or not.
     * {@code table} and {@code column} are constants of the callers, never input.
     */
    public static Optional<String> id(Database db, TokenHash hash, String table, String column, String secret) {
        String keyed = hash.of(secret);
        Optional<String> id = db.withHandle(h -> h.createQuery("SELECT id FROM " + table + " WHERE " + column + " = :h AND hash_kind = :k")
                .bind("h", keyed).bind("k", TokenHash.HMAC).mapTo(String.class).findOne());
        if (id.isPresent()) {
            return id;
        }
        String legacy = TokenHash.legacy(secret);
        Optional<String> old = db.withHandle(h -> h.createQuery("SELECT id FROM " + table + " WHERE " + column + " = :h AND hash_kind = :k")
                .bind("h", legacy).bind("k", TokenHash.LEGACY).mapTo(String.class).findOne());
        old.ifPresent(v -> db.inTransaction(h -> h.createUpdate("UPDATE " + table + " SET " + column + " = :h, hash_kind = :k WHERE id = :id AND hash_kind = :old")
                .bind("h", keyed).bind("k", TokenHash.HMAC).bind("id", v).bind("old", TokenHash.LEGACY).execute()));
        return old;
    }
}
