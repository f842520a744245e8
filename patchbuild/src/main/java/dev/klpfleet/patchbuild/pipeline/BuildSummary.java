package dev.klpfleet.patchbuild.pipeline;

import java.util.List;

/**
 * The whole run, as written to {@code OUT/build.json} and printed by {@code klpfleet build --json}.
 *
 * @param backend    the back-end used
 * @param jobs       the parallelism used
 * @param wallMillis wall time of the whole run
 * @param results    one per release, in the order asked
 */
public record BuildSummary(String backend, int jobs, long wallMillis, List<ReleaseResult> results) {
    public BuildSummary {
        results = List.copyOf(results);
    }

    public boolean allBuilt() {
        return results.stream().allMatch(ReleaseResult::built);
    }
}
