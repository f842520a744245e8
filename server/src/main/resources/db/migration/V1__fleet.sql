-- One migration set for SQLite, PostgreSQL, CockroachDB and YugabyteDB: only TEXT and BIGINT
-- columns, application-generated keys (no SERIAL/AUTOINCREMENT), binary content as base64 TEXT,
-- and no vendor-only syntax. Times are epoch milliseconds (UTC).

CREATE TABLE api_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE enrollment_tokens (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL UNIQUE,
    labels_json TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE hosts (
    id                TEXT PRIMARY KEY,
    hostname          TEXT NOT NULL,
    kernel_release    TEXT NOT NULL,
    distro            TEXT NOT NULL,
    labels_json       TEXT NOT NULL,
    capabilities_json TEXT NOT NULL,
    observed_json     TEXT NOT NULL,
    credential_hash   TEXT NOT NULL UNIQUE,
    enrolled_at       BIGINT NOT NULL,
    last_seen_at      BIGINT NOT NULL
);
CREATE INDEX hosts_kernel_release ON hosts (kernel_release);

CREATE TABLE host_events (
    host_id        TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    kind           TEXT NOT NULL,
    patch_name     TEXT,
    patch_version  TEXT,
    result         TEXT NOT NULL,
    evidence_json  TEXT NOT NULL,
    occurred_at    BIGINT NOT NULL,
    received_at    BIGINT NOT NULL,
    PRIMARY KEY (host_id, event_id)
);
CREATE INDEX host_events_patch ON host_events (patch_name, patch_version, received_at);

CREATE TABLE patches (
    name         TEXT PRIMARY KEY,
    description  TEXT NOT NULL,
    cves_json    TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE patch_versions (
    patch_name  TEXT NOT NULL,
    version     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (patch_name, version)
);

CREATE TABLE artifacts (
    sha256          TEXT PRIMARY KEY,
    patch_name      TEXT NOT NULL,
    patch_version   TEXT NOT NULL,
    kernel_release  TEXT NOT NULL,
    module_name     TEXT NOT NULL,
    size_bytes      BIGINT NOT NULL,
    manifest_json   TEXT NOT NULL,
    signature       TEXT NOT NULL,
    key_id          TEXT NOT NULL,
    content_base64  TEXT NOT NULL,
    uploaded_at     BIGINT NOT NULL,
    UNIQUE (patch_name, patch_version, kernel_release)
);

CREATE TABLE rollouts (
    id             TEXT PRIMARY KEY,
    patch_name     TEXT NOT NULL,
    patch_version  TEXT NOT NULL,
    status         TEXT NOT NULL,
    spec_json      TEXT NOT NULL,
    state_json     TEXT NOT NULL,
    revision       BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL
);

CREATE TABLE rollout_decisions (
    rollout_id   TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    decided_at   BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    actor        TEXT NOT NULL,
    detail_json  TEXT NOT NULL,
    PRIMARY KEY (rollout_id, seq)
);

CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    token_id    TEXT NOT NULL,
    token_name  TEXT NOT NULL,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    outcome     TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Which server process may run the rollout engine; taken and renewed with conditional UPDATEs.
CREATE TABLE leases (
    name        TEXT PRIMARY KEY,
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

-- Bumped by every transaction that changes any host's desired patch set; servers poll it to
-- invalidate their in-memory desired-state cache.
CREATE TABLE fleet_generation (
    id     TEXT PRIMARY KEY,
    value  BIGINT NOT NULL
);
INSERT INTO fleet_generation (id, value) VALUES ('desired', 0);
INSERT INTO leases (name, holder, expires_at) VALUES ('rollout-engine', '', 0);
