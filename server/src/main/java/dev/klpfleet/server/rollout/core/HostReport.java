package dev.klpfleet.server.rollout.core;

import dev.klpfleet.protocol.outcome.Outcome;
import java.time.Instant;
import java.util.Map;

/**
 * What the fleet observed about one host, as the rollout engine sees it.
 *
 * @param result      latest apply/unload result for this rollout's patch version
 *                    ({@code applied}, {@code refused}, {@code load-failed}, {@code stalled-reverted},
 *                    {@code stalled-waiting}, {@code unloaded}), or null
 * @param resultAt    when the server received {@code result}; results older than the host's phase are ignored
 * @param impact      numeric fields of the result's evidence {@code impact} object
 * @param lastSeen    the host's last check-in
 * @param patchLoaded whether its last check-in listed this patch version as loaded
 * @param badHealthAt latest oops, crash or new bad taint the host reported, or null
 */
public record HostReport(Outcome result, Instant resultAt, Map<String, Double> impact, Instant lastSeen,
                         boolean patchLoaded, Instant badHealthAt) {

    public static HostReport seen(Instant lastSeen) {
        return new HostReport(null, null, Map.of(), lastSeen, false, null);
    }
}
