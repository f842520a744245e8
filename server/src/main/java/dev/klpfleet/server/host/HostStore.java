package dev.klpfleet.server.host;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
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

/** The host inventory: enrollment, lookups, and the credential-to-host cache of the check-in path. */
public final class HostStore {
    private final Database db;
    private final InstantSource clock;
    /** Credential hash to host id; host credentials are never revoked in place, so entries never go stale. */
    private final Map<String, String> credentials = new ConcurrentHashMap<>();

    public HostStore(Database db, InstantSource clock) {
        this.db = db;
        this.clock = clock;
    }

    /** Enrolls a host; {@code tokenLabels} come from the enrollment token and lose to the host's own. */
    public EnrollResponse enroll(EnrollRequest req, Map<String, String> tokenLabels) {
        Map<String, String> labels = new TreeMap<>(tokenLabels);
        if (req.labels() != null) {
            labels.putAll(req.labels());
        }
        String id = Ids.next("h");
        String credential = Ids.secret("klph");
        long now = clock.millis();
        db.inTransaction(h -> h.createUpdate("INSERT INTO hosts (id, hostname, kernel_release, distro, labels_json, capabilities_json, "
                        + "observed_json, credential_hash, enrolled_at, last_seen_at) VALUES (:id, :hn, :kr, :d, :l, :c, :o, :ch, :now, :now)")
                .bind("id", id).bind("hn", req.hostname()).bind("kr", req.kernelRelease())
                .bind("d", req.distro() == null ? "" : req.distro()).bind("l", FleetJson.write(labels))
                .bind("c", FleetJson.write(req.capabilities() == null ? List.of() : req.capabilities()))
                .bind("o", FleetJson.write(Observed.NOTHING)).bind("ch", TokenHash.of(credential)).bind("now", now).execute());
        return new EnrollResponse(id, credential);
    }

    /** The host a credential belongs to. */
    public Optional<String> hostFor(String credential) {
        String hash = TokenHash.of(credential);
        String cached = credentials.get(hash);
        if (cached != null) {
            return Optional.of(cached);
        }
        Optional<String> id = db.withHandle(h -> h.createQuery("SELECT id FROM hosts WHERE credential_hash = :h").bind("h", hash)
                .mapTo(String.class).findOne());
        id.ifPresent(v -> credentials.put(hash, v));
        return id;
    }

    public Optional<HostView> get(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM hosts WHERE id = :id").bind("id", id).map((rs, ctx) -> view(rs)).findOne());
    }

    /** All hosts ordered by hostname, optionally only those whose labels contain every pair in {@code labels}. */
    public List<HostView> list(Map<String, String> labels, List<String> kernelReleases) {
        List<HostView> all = db.withHandle(h -> h.createQuery("SELECT * FROM hosts ORDER BY hostname, id").map((rs, ctx) -> view(rs)).list());
        return all.stream()
                .filter(v -> labels.entrySet().stream().allMatch(e -> e.getValue().equals(v.labels().get(e.getKey()))))
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
        try {
            return new HostView(rs.getString("id"), rs.getString("hostname"), rs.getString("kernel_release"), rs.getString("distro"),
                    FleetJson.mapper().readValue(rs.getString("labels_json"), new TypeReference<Map<String, String>>() {}),
                    FleetJson.mapper().readValue(rs.getString("capabilities_json"), new TypeReference<List<String>>() {}),
                    o.loaded(), o.taint(), Instant.ofEpochMilli(rs.getLong("enrolled_at")), Instant.ofEpochMilli(rs.getLong("last_seen_at")));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("stored host " + rs.getString("id") + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
