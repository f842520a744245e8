package dev.klpfleet.server.cve;

import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which hosts a CVE of the signed catalog is closed on. A host (not revoked) is, for one CVE:
 * {@code fixed} when its latest check-in lists, enabled, a patch version whose artifact for the
 * host's kernel release names the CVE in its signed manifest; {@code fixable} when such an artifact
 * exists for its kernel but is not applied; {@code not-fixable} when there is none (a live patch
 * cannot close it there: a reboot into a fixed kernel can). Aggregate and keyset-paged queries only.
 */
public final class Exposure {
    /** The three answers, by wire name. */
    public enum Status {
        FIXED("fixed"), FIXABLE("fixable"), NOT_FIXABLE("not-fixable");

        private final String wire;

        Status(String wire) {
            this.wire = wire;
        }

        @com.fasterxml.jackson.annotation.JsonValue
        public String wire() {
            return wire;
        }
    }

    /** One build that closes a CVE: patch version and kernel release. */
    public record Build(String patch, String version, String kernelRelease) {}

    /** One CVE across the fleet: host counts per status and the builds that close it. */
    public record CveSummary(String cve, long hosts, long fixed, long fixable, long notFixable, List<Build> builds) {}

    /** One host's status for one CVE, with the patch version that closes it (fixed) or could (fixable; null when not fixable). */
    public record HostStatus(String hostId, String hostname, String kernelRelease, Status status, String patch, String version) {}

    static final String FIXED_ON = "SELECT 1 FROM host_loaded hl JOIN artifact_cves ac ON ac.patch_name = hl.patch_name "
            + "AND ac.patch_version = hl.patch_version WHERE hl.host_id = h.id AND hl.state = 'enabled' AND ac.cve = :cve "
            + "AND ac.kernel_release = h.kernel_release";

    private final Database db;

    public Exposure(Database db) {
        this.db = db;
    }

    /** Every CVE of the signed catalog (or only {@code cve}), by id. */
    public List<CveSummary> summaries(String cve) {
        String only = cve == null ? "" : " WHERE cve = :cve";
        String onlyAc = cve == null ? "" : " AND ac.cve = :cve";
        return db.withHandle(h -> {
            long total = h.createQuery("SELECT COUNT(*) FROM hosts WHERE revoked_at IS NULL").mapTo(Long.class).one();
            Map<String, List<Build>> builds = new TreeMap<>();
            bind(h.createQuery("SELECT DISTINCT cve, patch_name, patch_version, kernel_release FROM artifact_cves" + only
                    + " ORDER BY cve, patch_name, patch_version, kernel_release"), cve)
                    .map((rs, ctx) -> Map.entry(rs.getString(1), new Build(rs.getString(2), rs.getString(3), rs.getString(4))))
                    .forEach(e -> builds.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            Map<String, Long> covered = counts(h, "SELECT ac.cve, COUNT(*) FROM hosts h JOIN (SELECT DISTINCT cve, kernel_release FROM artifact_cves) ac "
                    + "ON ac.kernel_release = h.kernel_release WHERE h.revoked_at IS NULL" + onlyAc + " GROUP BY ac.cve", cve);
            Map<String, Long> fixed = counts(h, "SELECT ac.cve, COUNT(DISTINCT h.id) FROM hosts h JOIN host_loaded hl ON hl.host_id = h.id "
                    + "AND hl.state = 'enabled' JOIN artifact_cves ac ON ac.patch_name = hl.patch_name AND ac.patch_version = hl.patch_version "
                    + "AND ac.kernel_release = h.kernel_release WHERE h.revoked_at IS NULL" + onlyAc + " GROUP BY ac.cve", cve);
            List<CveSummary> out = new ArrayList<>();
            builds.forEach((id, b) -> {
                long c = covered.getOrDefault(id, 0L);
                long f = fixed.getOrDefault(id, 0L);
                out.add(new CveSummary(id, total, f, c - f, total - c, b));
            });
            return out;
        });
    }

    private static Map<String, Long> counts(org.jdbi.v3.core.Handle h, String sql, String cve) {
        Map<String, Long> m = new HashMap<>();
        bind(h.createQuery(sql), cve).map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(e -> m.put(e.getKey(), e.getValue()));
        return m;
    }

    private static org.jdbi.v3.core.statement.Query bind(org.jdbi.v3.core.statement.Query q, String cve) {
        return cve == null ? q : q.bind("cve", cve);
    }

    /** True when some signed manifest names {@code cve}. */
    public boolean known(String cve) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM artifact_cves WHERE cve = :cve").bind("cve", cve).mapTo(Long.class).one()) > 0;
    }

    /** Up to {@code limit} hosts (not revoked) after host id {@code after} (null: from the first), by id, with their status for {@code cve}. */
    public List<HostStatus> hosts(String cve, String after, int limit) {
        return db.withHandle(h -> {
            List<String[]> rows = h.createQuery("SELECT h.id, h.hostname, h.kernel_release, "
                            + "(SELECT MIN(hl.patch_name || ' ' || hl.patch_version) FROM host_loaded hl JOIN artifact_cves ac ON ac.patch_name = hl.patch_name "
                            + "AND ac.patch_version = hl.patch_version WHERE hl.host_id = h.id AND hl.state = 'enabled' AND ac.cve = :cve "
                            + "AND ac.kernel_release = h.kernel_release) AS fixed_by, "
                            + "(SELECT MAX(ac.patch_name || ' ' || ac.patch_version) FROM artifact_cves ac WHERE ac.cve = :cve "
                            + "AND ac.kernel_release = h.kernel_release) AS build "
                            + "FROM hosts h WHERE h.revoked_at IS NULL AND h.id > :after ORDER BY h.id LIMIT :limit")
                    .bind("cve", cve).bind("after", after == null ? "" : after).bind("limit", limit)
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)}).list();
            List<HostStatus> out = new ArrayList<>();
            for (String[] r : rows) {
                String by = r[3] != null ? r[3] : r[4];
                Status s = r[3] != null ? Status.FIXED : r[4] != null ? Status.FIXABLE : Status.NOT_FIXABLE;
                String[] pv = by == null ? new String[] {null, null} : by.split(" ", 2);
                out.add(new HostStatus(r[0], r[1], r[2], s, pv[0], pv[1]));
            }
            return out;
        });
    }

    /** Every catalog CVE's status on one host, by CVE id; empty when the host does not exist or is revoked. */
    public Map<String, HostStatus> forHost(String hostId) {
        return db.withHandle(h -> {
            Map<String, HostStatus> out = new TreeMap<>();
            List<String> cves = h.createQuery("SELECT DISTINCT cve FROM artifact_cves ORDER BY cve").mapTo(String.class).list();
            for (String cve : cves) {
                // One small indexed query per catalog CVE, for one host: bounded by the catalog, not the fleet.
                List<HostStatus> one = h.createQuery("SELECT h.id, h.hostname, h.kernel_release, "
                                + "(SELECT MIN(hl.patch_name || ' ' || hl.patch_version) FROM host_loaded hl JOIN artifact_cves ac ON ac.patch_name = hl.patch_name "
                                + "AND ac.patch_version = hl.patch_version WHERE hl.host_id = h.id AND hl.state = 'enabled' AND ac.cve = :cve "
                                + "AND ac.kernel_release = h.kernel_release), "
                                + "(SELECT MAX(ac.patch_name || ' ' || ac.patch_version) FROM artifact_cves ac WHERE ac.cve = :cve "
                                + "AND ac.kernel_release = h.kernel_release) FROM hosts h WHERE h.id = :id AND h.revoked_at IS NULL")
                        .bind("cve", cve).bind("id", hostId)
                        .map((rs, ctx) -> {
                            String fixedBy = rs.getString(4);
                            String build = rs.getString(5);
                            String by = fixedBy != null ? fixedBy : build;
                            String[] pv = by == null ? new String[] {null, null} : by.split(" ", 2);
                            return new HostStatus(rs.getString(1), rs.getString(2), rs.getString(3),
                                    fixedBy != null ? Status.FIXED : build != null ? Status.FIXABLE : Status.NOT_FIXABLE, pv[0], pv[1]);
                        }).list();
                one.forEach(s -> out.put(cve, s));
            }
            return out;
        });
    }

    /** True for a host that exists and is not revoked. */
    public boolean hostExists(String hostId) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM hosts WHERE id = :id AND revoked_at IS NULL").bind("id", hostId)
                .mapTo(Long.class).one()) > 0;
    }
}
