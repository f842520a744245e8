-- Issue 11: revocable, listable, keyed credentials; binding enrollment labels; audit with a source.
-- Numbered V10 so migrations other branches add meanwhile (V3..V9) keep their place.

-- How token_hash / credential_hash was computed: 'sha256' (rows from before this migration, plain
-- SHA-256 of the token) or 'hmac' (HMAC-SHA256 keyed with the server's token-hash key). A legacy row
-- is re-hashed to 'hmac' the first time its token is presented, the only moment the token is known.
ALTER TABLE api_tokens ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE api_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE enrollment_tokens ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE enrollment_tokens ADD COLUMN last_used_at BIGINT;
ALTER TABLE hosts ADD COLUMN hash_kind TEXT NOT NULL DEFAULT 'sha256';
ALTER TABLE hosts ADD COLUMN revoked_at BIGINT;

-- labels_json now holds only the binding labels (the enrollment token's); what the host itself
-- claimed at enrollment is kept here. Rows enrolled before keep their merged labels as binding:
-- which of them the host supplied was not recorded.
ALTER TABLE hosts ADD COLUMN host_labels_json TEXT NOT NULL DEFAULT '{}';
ALTER TABLE hosts ADD COLUMN enrollment_token_id TEXT;

-- The client address an audited request came from ('' for rows from before this column).
ALTER TABLE audit_log ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- A check value (HMAC of a fixed text) of the key tokens are hashed with, so a server started with
-- another key refuses to start instead of turning every token into a 401.
CREATE TABLE token_hash_key (
    id     TEXT PRIMARY KEY,
    check_value TEXT NOT NULL
);

-- Bumped by every credential revocation; servers poll it to drop their cached host credentials.
INSERT INTO fleet_generation (id, value) VALUES ('credentials', 0);
