-- Each host's place in each rollout, one row per host, so an engine step reads only the hosts that
-- can move (new events, the next pending hosts, silent ones) and writes only those whose phase
-- changed. rollouts.state_json keeps the rest: the plan, the wave, and per-wave counts by phase.
-- A row stored before this migration keeps every host in its state_json; its next step moves them
-- here.
CREATE TABLE rollout_hosts (
    rollout_id  TEXT NOT NULL,
    host_id     TEXT NOT NULL,
    wave        BIGINT NOT NULL,
    phase       TEXT NOT NULL,
    since_at    BIGINT NOT NULL,
    result      TEXT,
    PRIMARY KEY (rollout_id, host_id)
);
-- The next pending hosts in dispatch order, and the hosts of a phase.
CREATE INDEX rollout_hosts_phase ON rollout_hosts (rollout_id, phase, wave, host_id);
-- Which rollouts want a host (the desired-set cache).
CREATE INDEX rollout_hosts_host ON rollout_hosts (host_id);
-- A step reads the events received since its cursor.
CREATE INDEX host_events_received ON host_events (received_at);
-- The silence gate reads the hosts not seen for a while, not every host.
CREATE INDEX hosts_last_seen ON hosts (last_seen_at);
-- Events received at or before this instant (epoch ms) were read by a step; 0 before the first.
ALTER TABLE rollouts ADD COLUMN events_cursor BIGINT NOT NULL DEFAULT 0;
