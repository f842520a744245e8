package dev.klpfleet.server.dashboard;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.storage.Database;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The dashboard's reads: GROUP BY aggregates, keyset pages and one host's newest events; never a whole-table load. */
final class FleetQueries {
    /** A host not seen for this long is shown as silent. */
    static final java.time.Duration SILENT = java.time.Duration.ofMinutes(10);
    static final int EVENTS_SHOWN = 50;

    record KernelCount(String kernelRelease, long hosts, long silent) {}

    record LabelCount(String labels, long hosts) {}

    record PatchLevel(String kernelRelease, String patch, String version, String state, long hosts) {}

    record HostRow(String id, String hostname, String kernelRelease, Instant lastSeenAt, boolean revoked) {}

    record Event(String eventId, String kind, String patch, String version, String result, JsonNode evidence, Instant occurredAt) {}

    record ArtifactRow(String patch, String version, String kernelRelease, String sha256, JsonNode lints, JsonNode cves) {}

    record Running(String patch, String version, String kernelRelease, long hosts) {}

    private final Database db;

    FleetQueries(Database db) {
        this.db = db;
    }

    long hosts() {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM hosts WHERE revoked_at IS NULL").mapTo(Long.class).one());
    }

    List<KernelCount> byKernel(long nowMillis) {
        return db.withHandle(h -> h.createQuery("SELECT kernel_release, COUNT(*), SUM(CASE WHEN last_seen_at < :silent THEN 1 ELSE 0 END) FROM hosts "
                        + "WHERE revoked_at IS NULL GROUP BY kernel_release ORDER BY kernel_release")
                .bind("silent", nowMillis - SILENT.toMillis())
                .map((rs, ctx) -> new KernelCount(rs.getString(1), rs.getLong(2), rs.getLong(3))).list());
    }

    List<LabelCount> byLabels() {
        return db.withHandle(h -> h.createQuery("SELECT labels_json, COUNT(*) FROM hosts WHERE revoked_at IS NULL GROUP BY labels_json "
                        + "ORDER BY COUNT(*) DESC, labels_json LIMIT 50")
                .map((rs, ctx) -> new LabelCount(rs.getString(1), rs.getLong(2))).list());
    }

    List<PatchLevel> patchLevels() {
        return db.withHandle(h -> h.createQuery("SELECT h.kernel_release, hl.patch_name, hl.patch_version, hl.state, COUNT(*) FROM host_loaded hl "
                        + "JOIN hosts h ON h.id = hl.host_id WHERE h.revoked_at IS NULL GROUP BY h.kernel_release, hl.patch_name, hl.patch_version, hl.state "
                        + "ORDER BY h.kernel_release, hl.patch_name, hl.patch_version, hl.state")
                .map((rs, ctx) -> new PatchLevel(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getLong(5))).list());
    }

    /** Up to {@code limit} hosts by hostname then id after ({@code afterName}, {@code afterId}), hostnames starting with {@code prefix}. */
    List<HostRow> hostsPage(String prefix, String afterName, String afterId, int limit) {
        String like = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%";
        return db.withHandle(h -> h.createQuery("SELECT id, hostname, kernel_release, last_seen_at, revoked_at FROM hosts "
                        + "WHERE hostname LIKE :like ESCAPE '\\' AND (hostname > :an OR (hostname = :an AND id > :ai)) ORDER BY hostname, id LIMIT :n")
                .bind("like", like).bind("an", afterName).bind("ai", afterId).bind("n", limit)
                .map((rs, ctx) -> {
                    rs.getLong(5);
                    boolean revoked = !rs.wasNull();
                    return new HostRow(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4)), revoked);
                }).list());
    }

    List<Event> events(String hostId) {
        return db.withHandle(h -> h.createQuery("SELECT event_id, kind, patch_name, patch_version, result, evidence_json, occurred_at FROM host_events "
                        + "WHERE host_id = :h ORDER BY received_at DESC, event_id DESC LIMIT :n")
                .bind("h", hostId).bind("n", EVENTS_SHOWN)
                .map((rs, ctx) -> new Event(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                        tree(rs.getString(6)), Instant.ofEpochMilli(rs.getLong(7)))).list());
    }

    /** Every artifact's lint verdicts and CVEs, read from its signed manifest (the catalog, not the fleet: module bytes are not read). */
    List<ArtifactRow> artifacts() {
        return db.withHandle(h -> h.createQuery("SELECT patch_name, patch_version, kernel_release, sha256, manifest_json FROM artifacts "
                        + "ORDER BY patch_name, patch_version, kernel_release")
                .map((rs, ctx) -> {
                    JsonNode m = tree(rs.getString(5));
                    return new ArtifactRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), m.path("lints"), m.path("cves"));
                }).list());
    }

    List<Running> running() {
        return db.withHandle(h -> h.createQuery("SELECT hl.patch_name, hl.patch_version, h.kernel_release, COUNT(*) FROM host_loaded hl "
                        + "JOIN hosts h ON h.id = hl.host_id WHERE h.revoked_at IS NULL AND hl.state = 'enabled' "
                        + "GROUP BY hl.patch_name, hl.patch_version, h.kernel_release")
                .map((rs, ctx) -> new Running(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4))).list());
    }

    /** The stored gates of a rollout's plan, or a missing node. */
    JsonNode gates(String rolloutId) {
        return db.withHandle(h -> h.createQuery("SELECT spec_json FROM rollouts WHERE id = :id").bind("id", rolloutId).mapTo(String.class).findOne())
                .map(FleetQueries::tree).map(t -> t.findValue("gates")).orElse(null);
    }

    private static JsonNode tree(String json) {
        try {
            return FleetJson.mapper().readTree(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }
}
