package dev.klpfleet.server.patch;

import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.Verification;
import dev.klpfleet.protocol.fleet.SignedManifest;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.storage.Database;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The signed patch catalog: patches, their versions, and one verified artifact per kernel release. */
public final class PatchStore {
    /** Upper bound on a catalog text field, so a request cannot bloat every patch listing. */
    public static final int MAX_DESCRIPTION = 4096;
    /** Largest module accepted, as docs/CLI.md advertises. */
    public static final int MAX_MODULE = 64 * 1024 * 1024;
    /** Most CVE ids one patch lists. */
    public static final int MAX_CVES = 256;
    /** A livepatch name: what the kernel shows under /sys/kernel/livepatch/, kept to a safe file name. */
    private static final java.util.regex.Pattern PATCH_NAME = java.util.regex.Pattern.compile("[a-z0-9_]{1,64}");
    private static final java.util.regex.Pattern MODULE_FILE = java.util.regex.Pattern.compile("[a-z0-9_]{1,64}\\.ko");
    private static final java.util.regex.Pattern VERSION = java.util.regex.Pattern.compile("[A-Za-z0-9._+~-]{1,64}");
    private static final java.util.regex.Pattern VERSION_LONG = java.util.regex.Pattern.compile("[A-Za-z0-9._+~-]{1,128}");

    private final Database db;
    private final InstantSource clock;
    private final TrustedKeys keys;
    private final AuditLog audit;

    public PatchStore(Database db, InstantSource clock, TrustedKeys keys, AuditLog audit) {
        this.db = db;
        this.clock = clock;
        this.keys = keys;
        this.audit = audit;
    }

    /** What an upload came to. */
    public sealed interface Outcome {
        record Stored(String patch, String version, String kernelRelease, String sha256) implements Outcome {}

        /** {@code conflict} is true for a duplicate (HTTP 409), false for an unusable upload (HTTP 400/422). */
        record Rejected(boolean conflict, String reason) implements Outcome {}
    }

    /** Verifies and stores one artifact in one transaction; a refused upload changes nothing. */
    public Outcome upload(ArtifactUpload up, Principal.Operator who) {
        byte[] manifest;
        byte[] signature;
        byte[] module;
        try {
            manifest = Base64.getDecoder().decode(nonNull(up.manifest(), "manifest"));
            signature = Base64.getDecoder().decode(nonNull(up.signature(), "signature"));
            module = Base64.getDecoder().decode(nonNull(up.module(), "module"));
        } catch (IllegalArgumentException e) {
            return new Outcome.Rejected(false, "upload fields must be base64: " + e.getMessage());
        }
        if (up.description() != null && up.description().length() > MAX_DESCRIPTION) {
            return new Outcome.Rejected(false, "description longer than " + MAX_DESCRIPTION + " characters");
        }
        if (module.length > MAX_MODULE) {
            return new Outcome.Rejected(false, "module of " + module.length + " bytes exceeds the limit of " + MAX_MODULE + " bytes");
        }
        if (up.cves() != null && !up.cves().isEmpty()) {
            // CVEs beside the signature could be added or changed by anyone who can upload; only the signed manifest's count.
            return new Outcome.Rejected(false, "cves are taken only from the signed manifest: build with `klpfleet build --cve CVE-…` "
                    + "and leave the upload's cves field out");
        }
        String sha = Sha256.hex(module);
        Verification v = keys.verify(manifest, signature, sha, module.length);
        if (v instanceof Verification.Refused r) {
            return new Outcome.Rejected(false, "artifact refused (" + r.reason() + "): " + r.detail());
        }
        Verification.Verified ok = (Verification.Verified) v;
        BuildManifest m = ok.manifest();
        String nameProblem = namesProblem(m);
        if (nameProblem != null) {
            audit.record(who, "patch.upload", "sha256:" + sha, "refused: " + nameProblem);
            return new Outcome.Rejected(false, "artifact refused: " + nameProblem);
        }
        String cvesProblem = cvesProblem(m.cves());
        if (cvesProblem != null) {
            audit.record(who, "patch.upload", "sha256:" + sha, "refused: signed manifest: " + cvesProblem);
            return new Outcome.Rejected(false, "artifact refused: its signed manifest's cves: " + cvesProblem);
        }
        if (!m.lintsPassed()) {
            return new Outcome.Rejected(false, "artifact's manifest records a failed lint; it cannot be deployed");
        }
        String target = m.patchName() + " " + m.patchVersion() + " for " + m.kernelRelease();
        return db.inTransaction(h -> {
            Optional<String> existing = h.createQuery("SELECT sha256 FROM artifacts WHERE sha256 = :s "
                            + "OR (patch_name = :p AND patch_version = :v AND kernel_release = :k)")
                    .bind("s", sha).bind("p", m.patchName()).bind("v", m.patchVersion()).bind("k", m.kernelRelease())
                    .mapTo(String.class).findFirst();
            if (existing.isPresent()) {
                return new Outcome.Rejected(true, "already uploaded: " + target + " (sha256 " + existing.get() + ")");
            }
            long now = clock.millis();
            h.createUpdate("INSERT INTO patches (name, description, cves_json, created_at) VALUES (:n, :d, :c, :at) ON CONFLICT (name) DO NOTHING")
                    .bind("n", m.patchName()).bind("d", up.description() == null ? "" : up.description())
                    .bind("c", "[]").bind("at", now).execute();
            h.createUpdate("INSERT INTO patch_versions (patch_name, version, created_at) VALUES (:n, :v, :at) ON CONFLICT (patch_name, version) DO NOTHING")
                    .bind("n", m.patchName()).bind("v", m.patchVersion()).bind("at", now).execute();
            h.createUpdate("INSERT INTO artifacts (sha256, patch_name, patch_version, kernel_release, module_name, size_bytes, manifest_json, "
                            + "signature, key_id, content_base64, uploaded_at) VALUES (:s, :p, :v, :k, :mod, :size, :m, :sig, :key, :c, :at)")
                    .bind("s", sha).bind("p", m.patchName()).bind("v", m.patchVersion()).bind("k", m.kernelRelease())
                    .bind("mod", m.moduleFile()).bind("size", (long) module.length)
                    .bind("m", new String(manifest, java.nio.charset.StandardCharsets.UTF_8))
                    .bind("sig", new String(signature, java.nio.charset.StandardCharsets.UTF_8)).bind("key", ok.keyId())
                    .bind("c", up.module()).bind("at", now).execute();
            for (String cve : new java.util.TreeSet<>(m.cves())) {
                h.createUpdate("INSERT INTO artifact_cves (sha256, cve, patch_name, patch_version, kernel_release) VALUES (:s, :c, :p, :v, :k)")
                        .bind("s", sha).bind("c", cve).bind("p", m.patchName()).bind("v", m.patchVersion()).bind("k", m.kernelRelease()).execute();
            }
            // A new artifact can complete a running rollout's desired set for a kernel release.
            Database.bumpGeneration(h);
            audit.record(h, who, "patch.upload", target, "stored sha256:" + sha);
            return new Outcome.Stored(m.patchName(), m.patchVersion(), m.kernelRelease(), sha);
        });
    }

    /** Why the manifest's names could not be used as file and sysfs names, or null: they become paths on every host. */
    static String namesProblem(BuildManifest m) {
        if (m.patchName() == null || !PATCH_NAME.matcher(m.patchName()).matches()) {
            return "patchName must be 1..64 characters [a-z0-9_] (it names /sys/kernel/livepatch/NAME)";
        }
        if (m.moduleFile() == null || !MODULE_FILE.matcher(m.moduleFile()).matches()) {
            return "moduleFile must be NAME.ko with NAME 1..64 characters [a-z0-9_]";
        }
        if (m.patchVersion() == null || !VERSION.matcher(m.patchVersion()).matches()) {
            return "patchVersion must be 1..64 characters [A-Za-z0-9._+~-]";
        }
        if (m.kernelRelease() == null || !VERSION_LONG.matcher(m.kernelRelease()).matches()) {
            return "kernelRelease must be 1..128 characters [A-Za-z0-9._+~-]";
        }
        return null;
    }

    private static String cvesProblem(List<String> cves) {
        if (cves == null) {
            return null;
        }
        if (cves.size() > MAX_CVES) {
            return "at most " + MAX_CVES + " CVE ids per patch (got " + cves.size() + ")";
        }
        for (String c : cves) {
            if (!dev.klpfleet.protocol.artifact.CveId.valid(c)) {
                return dev.klpfleet.protocol.artifact.CveId.problem(c);
            }
        }
        return null;
    }

    private static String nonNull(String s, String field) {
        if (s == null) {
            throw new IllegalArgumentException("field '" + field + "' is missing");
        }
        return s;
    }

    /** The module bytes of the artifact with this SHA-256. */
    public Optional<byte[]> content(String sha256) {
        return db.withHandle(h -> h.createQuery("SELECT content_base64 FROM artifacts WHERE sha256 = :s").bind("s", sha256)
                .mapTo(String.class).findOne().map(Base64.getDecoder()::decode));
    }

    /**
     * The manifest and signature the artifact with this SHA-256 was uploaded with, byte for byte
     * (base64), so an agent can verify the artifact against the fleet key itself.
     */
    public Optional<SignedManifest> signedManifest(String sha256) {
        Base64.Encoder b64 = Base64.getEncoder();
        return db.withHandle(h -> h.createQuery("SELECT manifest_json, signature FROM artifacts WHERE sha256 = :s").bind("s", sha256)
                .map((rs, ctx) -> new SignedManifest(
                        b64.encodeToString(rs.getString(1).getBytes(java.nio.charset.StandardCharsets.UTF_8)),
                        b64.encodeToString(rs.getString(2).getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .findOne());
    }

    /** Kernel release to (sha256, module file) of every artifact of one patch version. */
    public Map<String, ArtifactRef> artifacts(String patch, String version) {
        return db.withHandle(h -> {
            Map<String, ArtifactRef> m = new HashMap<>();
            h.createQuery("SELECT kernel_release, sha256, module_name FROM artifacts WHERE patch_name = :p AND patch_version = :v")
                    .bind("p", patch).bind("v", version)
                    .map((rs, ctx) -> new ArtifactRef(rs.getString(1), rs.getString(2), rs.getString(3)))
                    .forEach(a -> m.put(a.kernelRelease(), a));
            return m;
        });
    }

    /** An artifact's address for agents. */
    public record ArtifactRef(String kernelRelease, String sha256, String module) {}

    public boolean versionExists(String patch, String version) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM patch_versions WHERE patch_name = :p AND version = :v")
                .bind("p", patch).bind("v", version).mapTo(Long.class).one()) > 0;
    }

    /** The whole catalog, by patch name. */
    public List<PatchView> list() {
        return db.withHandle(h -> {
            Map<String, java.util.SortedSet<String>> cvesByPatch = new HashMap<>();
            Map<String, java.util.SortedSet<String>> cvesByArtifact = new HashMap<>();
            h.createQuery("SELECT patch_name, sha256, cve FROM artifact_cves").map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)})
                    .forEach(r -> {
                        cvesByPatch.computeIfAbsent(r[0], k -> new java.util.TreeSet<>()).add(r[2]);
                        cvesByArtifact.computeIfAbsent(r[1], k -> new java.util.TreeSet<>()).add(r[2]);
                    });
            Map<String, List<PatchView.Artifact>> arts = new HashMap<>();
            h.createQuery("SELECT * FROM artifacts ORDER BY kernel_release").map((rs, ctx) -> Map.entry(rs.getString("patch_name") + "\u0000" + rs.getString("patch_version"),
                            new PatchView.Artifact(rs.getString("kernel_release"), rs.getString("sha256"), rs.getLong("size_bytes"),
                                    rs.getString("module_name"), rs.getString("key_id"), Instant.ofEpochMilli(rs.getLong("uploaded_at")),
                                    List.copyOf(cvesByArtifact.getOrDefault(rs.getString("sha256"), new java.util.TreeSet<>())))))
                    .forEach(e -> arts.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            Map<String, List<PatchView.Version>> versions = new HashMap<>();
            h.createQuery("SELECT * FROM patch_versions ORDER BY created_at, version").map((rs, ctx) -> Map.entry(rs.getString("patch_name"),
                            new PatchView.Version(rs.getString("version"), Instant.ofEpochMilli(rs.getLong("created_at")),
                                    arts.getOrDefault(rs.getString("patch_name") + "\u0000" + rs.getString("version"), List.of()))))
                    .forEach(e -> versions.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue()));
            return h.createQuery("SELECT * FROM patches ORDER BY name").map((rs, ctx) -> {
                // Only CVEs of signed manifests: cves_json held unsigned upload fields before V30 and is no longer read.
                List<String> cves = List.copyOf(cvesByPatch.getOrDefault(rs.getString("name"), new java.util.TreeSet<>()));
                return new PatchView(rs.getString("name"), rs.getString("description"), cves, Instant.ofEpochMilli(rs.getLong("created_at")),
                        versions.getOrDefault(rs.getString("name"), List.of()));
            }).list();
        });
    }
}
