-- Issue 10: fleet analytics and CVE exposure, read with aggregate queries (no JSON functions, so the
-- same SQL runs on SQLite and PostgreSQL). Numbered V30 so migrations other branches add keep their place.

-- One row per apply or unload event, the figures of its evidence the analytics rank and sum, taken
-- from the evidence as the event is recorded (same transaction). Events recorded before this
-- migration are not in it. category: applied | refused | stalled | failed (docs/CLI.md, klpfleet report).
CREATE TABLE event_facts (
    host_id             TEXT NOT NULL,
    event_id            TEXT NOT NULL,
    kind                TEXT NOT NULL,
    result              TEXT NOT NULL,
    category            TEXT NOT NULL,
    patch_name          TEXT NOT NULL,
    patch_version       TEXT NOT NULL,
    kernel_release      TEXT NOT NULL,
    insmod_cpu_ms       BIGINT,
    transition_ms       BIGINT,
    ksoftirqd_delay_ns  BIGINT,
    retrans_segs        BIGINT,
    received_at         BIGINT NOT NULL,
    PRIMARY KEY (host_id, event_id)
);
CREATE INDEX event_facts_kernel_patch ON event_facts (kind, kernel_release, patch_name);

-- One row per blocking task and patched function it slept in, of an event whose transition stalled.
CREATE TABLE event_blockers (
    host_id         TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    kernel_release  TEXT NOT NULL,
    func            TEXT NOT NULL,
    comm            TEXT NOT NULL,
    PRIMARY KEY (host_id, event_id, func, comm)
);
CREATE INDEX event_blockers_kernel_patch ON event_blockers (kernel_release, patch_name);

-- The CVEs a signed build manifest says its module fixes, one row per artifact and CVE: the server
-- takes them only from the verified manifest, so they cannot change after signing.
CREATE TABLE artifact_cves (
    sha256          TEXT NOT NULL,
    cve             TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    patch_version   TEXT NOT NULL,
    kernel_release  TEXT NOT NULL,
    PRIMARY KEY (sha256, cve)
);
CREATE INDEX artifact_cves_cve ON artifact_cves (cve, kernel_release);
CREATE INDEX artifact_cves_patch ON artifact_cves (patch_name, patch_version, kernel_release);

-- What each host's latest written check-in lists as loaded, written with observed_json (only when it
-- changed), so exposure is a join rather than a read of every host's JSON.
CREATE TABLE host_loaded (
    host_id        TEXT NOT NULL,
    patch_name     TEXT NOT NULL,
    patch_version  TEXT NOT NULL,
    state          TEXT NOT NULL,
    PRIMARY KEY (host_id, patch_name)
);
CREATE INDEX host_loaded_patch ON host_loaded (patch_name, patch_version);
