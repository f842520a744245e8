package dev.klpfleet.server.access;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.Ids;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;

/** Operator API tokens and enrollment tokens: issued here, stored as hashes, resolved to principals. */
public final class AccessStore {
    /** The file in the data directory that receives a generated bootstrap admin token. */
    public static final String ADMIN_TOKEN_FILE = "admin.token";

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;
    private final InstantSource clock;

    public AccessStore(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** A token shown once to whoever asked for it. */
    public record Issued(String id, String token) {}

    /**
     * Makes sure an admin token exists: registers {@code fromEnv} (KLPFLEET_ADMIN_TOKEN) if given,
     * else, when the database has no token yet, generates one into {@code dataDir/admin.token} (mode 0600).
     *
     * @return where the bootstrap token came from, for the startup log line
     */
    public String bootstrap(String fromEnv, Path dataDir) {
        if (fromEnv != null && !fromEnv.isBlank()) {
            String hash = TokenHash.of(fromEnv);
            boolean known = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_tokens WHERE token_hash = :h")
                    .bind("h", hash).mapTo(Long.class).one()) > 0;
            if (!known) {
                insertToken("bootstrap-admin", Role.ADMIN, hash);
            }
            return "admin token from KLPFLEET_ADMIN_TOKEN";
        }
        long tokens = db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM api_tokens").mapTo(Long.class).one());
        if (tokens > 0) {
            return "existing tokens kept";
        }
        String token = Ids.secret("klpo");
        Path file = dataDir.resolve(ADMIN_TOKEN_FILE);
        try {
            Files.createDirectories(dataDir);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write bootstrap admin token to " + file, e);
        }
        insertToken("bootstrap-admin", Role.ADMIN, TokenHash.of(token));
        return "admin token generated into " + file;
    }

    /** Issues an operator token with {@code role}. */
    public Issued issueToken(String name, Role role) {
        String token = Ids.secret("klpo");
        return new Issued(insertToken(name, role, TokenHash.of(token)), token);
    }

    private String insertToken(String name, Role role, String hash) {
        String id = Ids.next("tok");
        db.inTransaction(h -> h.createUpdate("INSERT INTO api_tokens (id, name, role, token_hash, created_at) VALUES (:id, :name, :role, :hash, :at)")
                .bind("id", id).bind("name", name).bind("role", role.name()).bind("hash", hash)
                .bind("at", clock.millis()).execute());
        return id;
    }

    /** Issues an enrollment token valid for {@code ttl}; hosts enrolled with it get {@code labels}. */
    public Issued issueEnrollmentToken(String name, Map<String, String> labels, Duration ttl) {
        String token = Ids.secret("klpe");
        String id = Ids.next("enr");
        String labelsJson;
        try {
            labelsJson = JSON.writeValueAsString(labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        db.inTransaction(h -> h.createUpdate("INSERT INTO enrollment_tokens (id, name, token_hash, labels_json, created_at, expires_at) "
                        + "VALUES (:id, :name, :hash, :labels, :at, :exp)")
                .bind("id", id).bind("name", name).bind("hash", TokenHash.of(token)).bind("labels", labelsJson)
                .bind("at", clock.millis()).bind("exp", clock.millis() + ttl.toMillis()).execute());
        return new Issued(id, token);
    }

    /** The operator behind {@code token}, if it is a live operator token. */
    public Optional<Principal.Operator> operator(String token) {
        return db.withHandle(h -> h.createQuery("SELECT id, name, role FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL")
                .bind("h", TokenHash.of(token))
                .map((rs, ctx) -> new Principal.Operator(rs.getString("id"), rs.getString("name"), Role.valueOf(rs.getString("role"))))
                .findOne());
    }

    /** The enrollment token behind {@code token}, if live and not expired. */
    public Optional<Principal.Enroller> enroller(String token) {
        return db.withHandle(h -> h.createQuery("SELECT id, labels_json FROM enrollment_tokens WHERE token_hash = :h "
                        + "AND revoked_at IS NULL AND expires_at > :now")
                .bind("h", TokenHash.of(token)).bind("now", clock.millis())
                .map((rs, ctx) -> new Principal.Enroller(rs.getString("id"), readLabels(rs.getString("labels_json"))))
                .findOne());
    }

    private static Map<String, String> readLabels(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
