-- Issue 12: retries of stalled transitions. Each host's attempt at applying (1 from its dispatch, one
-- more for each retry its plan grants; 0 before it was dispatched, and for rows stored before this
-- migration, read as 1 once dispatched) and, while it is RETRYING, the earliest instant (epoch ms)
-- its agent may start that attempt. One column per statement: SQLite adds no more at once.
ALTER TABLE rollout_hosts ADD COLUMN attempt BIGINT NOT NULL DEFAULT 0;
ALTER TABLE rollout_hosts ADD COLUMN not_before BIGINT;
