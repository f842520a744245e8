-- How many of a rollout's hosts are in a phase that wants its patch (DISPATCHED, APPLIED,
-- STALLED), written with every step. The desired-set cache reads only rollouts where it is not
-- 0: a finished rollout still counts while hosts keep what they applied (COMPLETED, ABORTED).
-- -1 means not counted yet (a row created, or stored before this column), and counts as wanting.
ALTER TABLE rollouts ADD COLUMN desired_hosts BIGINT NOT NULL DEFAULT -1;
