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
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Operator API tokens and enrollment tokens: issued here, stored as keyed hashes, resolved to principals, listed and revoked. */
public final class AccessStore {
    /** The file in the data directory that receives a generated bootstrap admin token. */
    public static final String ADMIN_TOKEN_FILE = "admin.token";
    /** The name of the token KLPFLEET_ADMIN_TOKEN registers; reserved, so a changed variable finds the one to replace. */
    public static final String BOOTSTRAP_NAME = "bootstrap-admin";
    /** Shortest KLPFLEET_ADMIN_TOKEN accepted: 32 characters (issued tokens carry 256 random bits). */
    public static final int MIN_ADMIN_TOKEN = 32;
    /** Longest token name. */
    public static final int MAX_NAME = 64;
    /** Last use is written at most this often per token, so reads do not turn into writes. */
    static final Duration LAST_USED_PRECISION = Duration.ofMinutes(1);

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Database db;
    private final InstantSource clock;
    private final TokenHash hash;
    private final Map<String, Long> lastUsedWritten = new ConcurrentHashMap<>();

    public AccessStore(Database db, InstantSource clock, TokenHash hash) {
        this.db = db;
        this.clock = clock;
        this.hash = hash;
    }

    /** A token shown once to whoever asked for it. */
    public record Issued(String id, String token) {}

    /** A configured admin token too short to resist guessing. */
    public static final class WeakAdminToken extends IllegalArgumentException {
        public WeakAdminToken(int length) {
            super("KLPFLEET_ADMIN_TOKEN has " + length + " characters; it needs at least " + MIN_ADMIN_TOKEN
                    + " (e.g. the output of 'openssl rand -hex 32')");
        }
    }

    /** Refuses a configured admin token shorter than {@link #MIN_ADMIN_TOKEN}; null or blank means none is configured. */
    public static void checkAdminToken(String fromEnv) {
        if (fromEnv != null && !fromEnv.isBlank() && fromEnv.strip().length() < MIN_ADMIN_TOKEN) {
            throw new WeakAdminToken(fromEnv.strip().length());
        }
    }

    /** Why {@code name} cannot name a token, or null: the engine's and hosts' names in logs are reserved. */
    public static String nameProblem(String name) {
        if (name == null || name.isBlank()) {
            return "name is required";
        }
        if (name.length() > MAX_NAME || !name.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            return "name must be 1.." + MAX_NAME + " printable characters";
        }
        String n = name.strip().toLowerCase(Locale.ROOT);
        if (n.equals(dev.klpfleet.server.rollout.core.Decision.ENGINE)) {
            return "name '" + name + "' is reserved: the decision log shows the rollout engine by that name";
        }
        if (n.startsWith(Ids.HOST_PREFIX + "_")) {
            return "name '" + name + "' could be mistaken for a host id (" + Ids.HOST_PREFIX + "_...)";
        }
        if (n.equals(BOOTSTRAP_NAME)) {
            return "name '" + BOOTSTRAP_NAME + "' is reserved for the token KLPFLEET_ADMIN_TOKEN registers";
        }
        return null;
    }

    /**
     * Makes sure an admin token exists. {@code fromEnv} (KLPFLEET_ADMIN_TOKEN), if given, becomes
     * the one bootstrap admin token: an earlier, different one is revoked. Else, when the database
     * has no token yet, one is generated into {@code dataDir/admin.token} (mode 0600).
     *
     * @return where the bootstrap token came from, for the startup log line
     * @throws WeakAdminToken if {@code fromEnv} is shorter than {@link #MIN_ADMIN_TOKEN}
     */
    public String bootstrap(String fromEnv, Path dataDir) {
        if (fromEnv != null && !fromEnv.isBlank()) {
            checkAdminToken(fromEnv);
            String token = fromEnv.strip();
            Optional<String> known = HashedLookup.id(db, hash, "api_tokens", "token_hash", token);
            if (known.isPresent() && db.withHandle(h -> h.createQuery("SELECT revoked_at FROM api_tokens WHERE id = :id")
                    .bind("id", known.get()).mapTo(Long.class).findOne()).isPresent()) {
                return "KLPFLEET_ADMIN_TOKEN was revoked and stays revoked; set a new one";
            }
            String id = known.orElse(null);
            long now = clock.millis();
            int replaced = db.inTransaction(h -> {
                String keep = id;
                if (keep == null) {
                    keep = Ids.next("tok");
                    h.createUpdate("INSERT INTO api_tokens (id, name, role, token_hash, hash_kind, created_at) VALUES (:id, :name, :role, :hash, :k, :at)")
                            .bind("id", keep).bind("name", BOOTSTRAP_NAME).bind("role", Role.ADMIN.name()).bind("hash", hash.of(token))
                            .bind("k", TokenHash.HMAC).bind("at", now).execute();
                }
                return h.createUpdate("UPDATE api_tokens SET revoked_at = :now WHERE name = :name AND id <> :keep AND revoked_at IS NULL")
                        .bind("now", now).bind("name", BOOTSTRAP_NAME).bind("keep", keep).execute();
            });
            return "admin token from KLPFLEET_ADMIN_TOKEN" + (replaced > 0 ? "; it replaced the earlier bootstrap admin token" : "");
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
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write bootstrap admin token to " + file, e);
        }
        insertToken(BOOTSTRAP_NAME, Role.ADMIN, token);
        return "admin token generated into " + file;
    }

    /** Issues an operator token with {@code role}; the caller has checked {@link #nameProblem}. */
    public Issued issueToken(String name, Role role) {
        String token = Ids.secret("klpo");
        return new Issued(insertToken(name, role, token), token);
    }

    private String insertToken(String name, Role role, String token) {
        String id = Ids.next("tok");
        db.inTransaction(h -> h.createUpdate("INSERT INTO api_tokens (id, name, role, token_hash, hash_kind, created_at) "
                        + "VALUES (:id, :name, :role, :hash, :k, :at)")
                .bind("id", id).bind("name", name).bind("role", role.name()).bind("hash", hash.of(token)).bind("k", TokenHash.HMAC)
                .bind("at", clock.millis()).execute());
        return id;
    }

    /** Issues an enrollment token valid for {@code ttl}; hosts enrolled with it get {@code labels} as binding labels. */
    public Issued issueEnrollmentToken(String name, Map<String, String> labels, Duration ttl) {
        String token = Ids.secret("klpe");
        String id = Ids.next("enr");
        String labelsJson;
        try {
            labelsJson = JSON.writeValueAsString(labels);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        db.inTransaction(h -> h.createUpdate("INSERT INTO enrollment_tokens (id, name, token_hash, hash_kind, labels_json, created_at, expires_at) "
                        + "VALUES (:id, :name, :hash, :k, :labels, :at, :exp)")
                .bind("id", id).bind("name", name).bind("hash", hash.of(token)).bind("k", TokenHash.HMAC).bind("labels", labelsJson)
                .bind("at", clock.millis()).bind("exp", clock.millis() + ttl.toMillis()).execute());
        return new Issued(id, token);
    }

    /** The operator behind {@code token}, if it is a live operator token; {@code from} is the client address. */
    public Optional<Principal.Operator> operator(String token, String from) {
        Optional<Principal.Operator> op = HashedLookup.id(db, hash, "api_tokens", "token_hash", token).flatMap(id ->
                db.withHandle(h -> h.createQuery("SELECT id, name, role FROM api_tokens WHERE id = :id AND revoked_at IS NULL")
                        .bind("id", id)
                        .map((rs, ctx) -> new Principal.Operator(rs.getString("id"), rs.getString("name"), Role.valueOf(rs.getString("role")), from))
                        .findOne()));
        op.ifPresent(o -> touch("api_tokens", o.tokenId()));
        return op;
    }

    /** The enrollment token behind {@code token}, if live and not expired. */
    public Optional<Principal.Enroller> enroller(String token, String from) {
        Optional<Principal.Enroller> e = HashedLookup.id(db, hash, "enrollment_tokens", "token_hash", token).flatMap(id ->
                db.withHandle(h -> h.createQuery("SELECT id, name, labels_json FROM enrollment_tokens WHERE id = :id "
                                + "AND revoked_at IS NULL AND expires_at > :now")
                        .bind("id", id).bind("now", clock.millis())
                        .map((rs, ctx) -> new Principal.Enroller(rs.getString("id"), rs.getString("name"), readLabels(rs.getString("labels_json")), from))
                        .findOne()));
        e.ifPresent(en -> touch("enrollment_tokens", en.tokenId()));
        return e;
    }

    private void touch(String table, String id) {
        long now = clock.millis();
        Long last = lastUsedWritten.get(id);
        if (last != null && now - last < LAST_USED_PRECISION.toMillis()) {
            return;
        }
        lastUsedWritten.put(id, now);
        db.withHandle(h -> h.createUpdate("UPDATE " + table + " SET last_used_at = :now WHERE id = :id").bind("now", now).bind("id", id).execute());
    }

    /** One token as admins see it; never the token or its hash. {@code role} is null and {@code labels} set for enrollment tokens. */
    public record TokenView(String id, String kind, String name, Role role, Map<String, String> labels, Instant createdAt,
                            Instant lastUsedAt, Instant expiresAt, Instant revokedAt) {}

    /** Every operator and enrollment token, revoked ones included, oldest first. */
    public List<TokenView> list() {
        List<TokenView> out = new ArrayList<>();
        db.withHandle(h -> {
            out.addAll(h.createQuery("SELECT * FROM api_tokens ORDER BY created_at, id").map((rs, ctx) -> operatorView(rs)).list());
            out.addAll(h.createQuery("SELECT * FROM enrollment_tokens ORDER BY created_at, id").map((rs, ctx) -> enrollmentView(rs)).list());
            return null;
        });
        out.sort(java.util.Comparator.comparing(TokenView::createdAt).thenComparing(TokenView::id));
        return out;
    }

    /** One token by id. */
    public Optional<TokenView> get(String id) {
        return db.withHandle(h -> id.startsWith("enr_")
                ? h.createQuery("SELECT * FROM enrollment_tokens WHERE id = :id").bind("id", id).map((rs, ctx) -> enrollmentView(rs)).findOne()
                : h.createQuery("SELECT * FROM api_tokens WHERE id = :id").bind("id", id).map((rs, ctx) -> operatorView(rs)).findOne());
    }

    /** Revokes a token at once (every lookup reads the database); revoking a revoked token keeps its first revocation time. */
    public Optional<TokenView> revoke(String id) {
        String table = id.startsWith("enr_") ? "enrollment_tokens" : "api_tokens";
        long now = clock.millis();
        db.inTransaction(h -> h.createUpdate("UPDATE " + table + " SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL")
                .bind("now", now).bind("id", id).execute());
        return get(id);
    }

    private static TokenView operatorView(ResultSet rs) throws SQLException {
        return new TokenView(rs.getString("id"), "operator", rs.getString("name"), Role.valueOf(rs.getString("role")), null,
                instant(rs, "created_at"), instant(rs, "last_used_at"), null, instant(rs, "revoked_at"));
    }

    private static TokenView enrollmentView(ResultSet rs) throws SQLException {
        return new TokenView(rs.getString("id"), "enrollment", rs.getString("name"), null, readLabels(rs.getString("labels_json")),
                instant(rs, "created_at"), instant(rs, "last_used_at"), instant(rs, "expires_at"), instant(rs, "revoked_at"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        long v = rs.getLong(column);
        return rs.wasNull() ? null : Instant.ofEpochMilli(v);
    }

    private static Map<String, String> readLabels(String json) {
        try {
            return JSON.readValue(json, new TypeReference<Map<String, String>>() {});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
