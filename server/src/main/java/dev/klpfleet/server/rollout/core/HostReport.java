package dev.klpfleet.server.rollout.core;

import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.Outcome;
import java.time.Instant;
import java.util.Map;

/**
 * What the fleet observed about one host, as the rollout engine sees it.
 *
 * @param result      latest apply or unload result for this rollout's patch version (an
 *                    {@link dev.klpfleet.protocol.outcome.ApplyResult} or {@link dev.klpfleet.protocol.outcome.UnloadResult},
 *                    possibly its UNKNOWN), or null
 * @param resultAt    when the server received {@code result}; results older than the host's phase are ignored
 * @param impact      the numeric values of that result's evidence {@code impact} object by dotted path
 *                    ({@code insmod.ksoftirqdMaxDelayNanos}, see {@link dev.klpfleet.protocol.fleet.ImpactPaths});
 *                    a path the evidence lacks or holds null for is absent
 * @param lastSeen    the host's last check-in
 * @param patchLoaded whether its last check-in listed this patch version as loaded
 * @param badHealth   the latest health event the host reported (oops, crash, new bad taint, or unknown), or null
 * @param badHealthAt when the server received {@code badHealth}, or null
 * @param attempt     the attempt the agent stamped on {@code result}'s evidence ({@code attempt}); null when
 *                    it names none (an agent from before attempts, or no result), read as the first
 */
public record HostReport(Outcome result, Instant resultAt, Map<String, Double> impact, Instant lastSeen,
                         boolean patchLoaded, HealthKind badHealth, Instant badHealthAt, Integer attempt) {

    public HostReport {
        impact = impact == null ? Map.of() : Map.copyOf(impact);
    }

    public HostReport(Outcome result, Instant resultAt, Map<String, Double> impact, Instant lastSeen,
                      boolean patchLoaded, HealthKind badHealth, Instant badHealthAt) {
        this(result, resultAt, impact, lastSeen, patchLoaded, badHealth, badHealthAt, null);
    }

    /** The attempt {@code result} is of; 1 when the evidence names none. */
    public int resultAttempt() {
        return attempt == null ? 1 : attempt;
    }

    public static HostReport seen(Instant lastSeen) {
        return new HostReport(null, null, Map.of(), lastSeen, false, null, null);
    }
}
