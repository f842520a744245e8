-- Issue 10: the analytics read counters kept as facts arrive instead of aggregating every fact row
-- at request time (16 s for the impact percentiles at a million events). Written by EventFacts in the
-- transaction that records an apply event; events are never deleted, so counters only grow.
-- Numbered V35 so migrations other branches add keep their place.

-- Apply events per kernel release, patch and result (the result names are the protocol's, bounded).
CREATE TABLE apply_tally (
    kernel_release  TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    result          TEXT NOT NULL,
    category        TEXT NOT NULL,
    loads           BIGINT NOT NULL,
    PRIMARY KEY (kernel_release, patch_name, result)
);
INSERT INTO apply_tally (kernel_release, patch_name, result, category, loads)
    SELECT kernel_release, patch_name, result, MIN(category), COUNT(*) FROM event_facts WHERE kind = 'apply'
    GROUP BY kernel_release, patch_name, result;

-- Which hosts reported an apply of a patch on a kernel release: the failures report counts them.
CREATE TABLE apply_hosts (
    kernel_release  TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    host_id         TEXT NOT NULL,
    PRIMARY KEY (kernel_release, patch_name, host_id)
);
INSERT INTO apply_hosts (kernel_release, patch_name, host_id)
    SELECT DISTINCT kernel_release, patch_name, host_id FROM event_facts WHERE kind = 'apply';

-- How many apply events had each impact figure in each ImpactHistogram bucket, per kernel release and
-- patch; metric is the event_facts column the figure is stored in. Filled for earlier events by the
-- Java migration V36 (the bucket arithmetic is not portable SQL).
CREATE TABLE impact_buckets (
    metric          TEXT NOT NULL,
    kernel_release  TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    bucket          INTEGER NOT NULL,
    n               BIGINT NOT NULL,
    PRIMARY KEY (metric, kernel_release, patch_name, bucket)
);

-- The exact count, smallest and largest figure of each metric per kernel release and patch, so a
-- percentile read from a bucket is clamped to a value some event really had.
CREATE TABLE impact_extremes (
    metric          TEXT NOT NULL,
    kernel_release  TEXT NOT NULL,
    patch_name      TEXT NOT NULL,
    n               BIGINT NOT NULL,
    min_v           BIGINT NOT NULL,
    max_v           BIGINT NOT NULL,
    PRIMARY KEY (metric, kernel_release, patch_name)
);
