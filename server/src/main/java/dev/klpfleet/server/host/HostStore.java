package dev.klpfleet.server.host;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.HashedLookup;
import dev.klpfleet.server.access.TokenHash;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.Ids;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/** The host inventory: enrollment, revocation, lookups, and the credential-to-host cache of the check-in path. */
public final class HostStore {
    private final Database db;
    private final InstantSource clock;
    private final TokenHash hash;
    private final AuditLog audit;
    /**
     * Credential hash to host id, live credentials only. A revocation here removes its entries at once;
     * one by another server reaches this cache through the 'credentials' generation ({@link #refreshRevocations}).
     */
    private final Map<String, String> credentials = new ConcurrentHashMap<>();
    private volatile long credentialGeneration = -1;

    public HostStore(Database db, InstantSource clock, TokenHash hash, AuditLog audit) {
        this.db = db;
        this.clock = clock;
        this.hash = hash;
        this.audit = audit;
    }

    /**
     * Enrolls a host. Its binding labels are the enrollment token's {@code tokenLabels}; the labels
     * the host sent are stored apart as host labels and cannot override them. The enrollment is
     * audited as {@code who} in the same transaction.
     */
    public EnrollResponse enroll(EnrollRequest req, Map<String, String> tokenLabels, AuditLog.Actor who) {
        Map<String, String> binding = new TreeMap<>(tokenLabels);
        Map<String, String> claimed = req.labels() == null ? Map.of() : new TreeMap<>(req.labels());
        String id = Ids.next(Ids.HOST_PREFIX);
        String credential = Ids.secret("klph");
        long now = clock.millis();
        db.inTransaction(h -> {
            h.createUpdate("INSERT INTO hosts (id, hostname, kernel_release, distro, labels_json, host_labels_json, capabilities_json, "
                            + "observed_json, credential_hash, hash_kind, enrollment_token_id, enrolled_at, last_seen_at) "
                            + "VALUES (:id, :hn, :kr, :d, :l, :hl, :c, :o, :ch, :k, :tok, :now, :now)")
                    .bind("id", id).bind("hn", req.hostname()).bind("kr", req.kernelRelease())
                    .bind("d", req.distro() == null ? "" : req.distro()).bind("l", FleetJson.write(binding)).bind("hl", FleetJson.write(claimed))
                    .bind("c", FleetJson.write(req.capabilities() == null ? List.of() : req.capabilities()))
                    .bind("o", FleetJson.write(Observed.NOTHING)).bind("ch", hash.of(credential)).bind("k", TokenHash.HMAC)
                    .bind("tok", who.tokenId()).bind("now", now).execute();
            audit.record(h, who, "host.enroll", id, "hostname " + req.hostname() + ", kernel " + req.kernelRelease() + ", labels " + binding
                    + (claimed.isEmpty() ? "" : ", host-claimed labels " + claimed));
            return null;
        });
        return new EnrollResponse(id, credential);
    }

    /** The host a live credential belongs to. */
    public Optional<String> hostFor(String credential) {
        String keyed = hash.of(credential);
        String cached = credentials.get(keyed);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> id = HashedLookup.id(db, hash, "hosts", "credential_hash", credential)
                .filter(v -> db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM hosts WHERE id = :id AND revoked_at IS NULL")
                        .bind("id", v).mapTo(Long.class).one()) > 0);
        id.ifPresent(v -> credentials.put(keyed, v));
        return id;
    }

    /**
     * Revokes a host's credential: from now on it gets 401 on this server, and within one
     * {@link #refreshRevocations} poll on every other server of the database.
     *
     * @return the host as it is now, or empty if there is no such host
     */
    public Optional<HostView> revoke(String hostId, AuditLog.Actor who) {
        long now = clock.millis();
        int changed = db.inTransaction(h -> {
            int n = h.createUpdate("UPDATE hosts SET revoked_at = :now WHERE id = :id AND revoked_at IS NULL").bind("now", now).bind("id", hostId).execute();
            if (n > 0) {
                h.execute("UPDATE fleet_generation SET value = value + 1 WHERE id = 'credentials'");
                audit.record(h, who, "host.revoke", hostId, "credential revoked");
            }
            return n;
        });
        credentials.values().removeIf(hostId::equals);
        Optional<HostView> v = get(hostId);
        if (changed == 0 && v.isPresent()) {
            audit.record(who, "host.revoke", hostId, "already revoked");
        }
        return v;
    }

    /** Drops every cached credential when any server revoked one since the last call; the server polls it. */
    public void refreshRevocations() {
        long g = db.withHandle(h -> h.createQuery("SELECT value FROM fleet_generation WHERE id = 'credentials'").mapTo(Long.class).one());
        if (g != credentialGeneration) {
            credentials.clear();
            credentialGeneration = g;
        }
    }

    public Optional<HostView> get(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map((rs, ctx) -> view(rs)).findOne());
    }

    /** Hosts with this hostname (hostnames are not unique: a re-enrolled host keeps its old row). */
    public List<HostView> byHostname(String hostname) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM hosts WHERE hostname = :n ORDER BY enrolled_at, id").bind("n", hostname)
                .map((rs, ctx) -> view(rs)).list());
    }

    /**
     * All hosts ordered by hostname, optionally only those whose binding labels contain every pair
     * in {@code labels}, whose host-claimed labels contain every pair in {@code hostLabels}, and
     * whose kernel is one of {@code kernelReleases}. Revoked hosts are included.
     */
    public List<HostView> list(Map<String, String> labels, Map<String, String> hostLabels, List<String> kernelReleases) {
        List<HostView> all = db.withHandle(h -> h.createQuery("SELECT * FROM hosts ORDER BY hostname, id").map((rs, ctx) -> view(rs)).list());
        return all.stream()
                .filter(v -> labels.entrySet().stream().allMatch(e -> e.getValue().equals(v.labels().get(e.getKey()))))
                .filter(v -> hostLabels.entrySet().stream().allMatch(e -> e.getValue().equals(v.hostLabels().get(e.getKey()))))
                .filter(v -> kernelReleases.isEmpty() || kernelReleases.contains(v.kernelRelease()))
                .toList();
    }

    /** Kernel release of every host, by id. */
    public Map<String, String> kernelReleases() {
        return db.withHandle(h -> {
            Map<String, String> m = new java.util.HashMap<>();
            h.createQuery("SELECT id, kernel_release FROM hosts").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> m.put(e.getKey(), e.getValue()));
            return m;
        });
    }

    /** Records a host that booted into another kernel and returns the desired-state generation of that change. */
    public long changeKernel(String hostId, String kernelRelease) {
        return db.inTransaction(h -> {
            h.createUpdate("UPDATE hosts SET kernel_release = :kr WHERE id = :id").bind("kr", kernelRelease).bind("id", hostId).execute();
            return Database.bumpGeneration(h);
        });
    }

    private static HostView view(ResultSet rs) throws SQLException {
        Observed o = FleetJson.read(rs.getString("observed_json"), Observed.class);
        TypeReference<Map<String, String>> labels = new TypeReference<>() {};
        long revoked = rs.getLong("revoked_at");
        Instant revokedAt = rs.wasNull() ? null : Instant.ofEpochMilli(revoked);
        try {
            return new HostView(rs.getString("id"), rs.getString("hostname"), rs.getString("kernel_release"), rs.getString("distro"),
                    FleetJson.mapper().readValue(rs.getString("labels_json"), labels),
                    FleetJson.mapper().readValue(rs.getString("host_labels_json"), labels),
                    FleetJson.mapper().readValue(rs.getString("capabilities_json"), new TypeReference<List<String>>() {}),
                    o.loaded(), o.taint(), Instant.ofEpochMilli(rs.getLong("enrolled_at")), Instant.ofEpochMilli(rs.getLong("last_seen_at")), revokedAt);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored host " + rs.getString("id") + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
