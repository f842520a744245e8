-- Issue 8: an operator's clearing of a host's crash-suspected event (the agent then may load the patch
-- again). Numbered V31 so migrations other branches add meanwhile keep their place.
CREATE TABLE crash_clears (
    host_id     TEXT NOT NULL,
    event_id    TEXT NOT NULL,
    cleared_at  BIGINT NOT NULL,
    cleared_by  TEXT NOT NULL,
    reason      TEXT,
    PRIMARY KEY (host_id, event_id)
);
