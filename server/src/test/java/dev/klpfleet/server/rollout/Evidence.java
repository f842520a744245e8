package dev.klpfleet.server.rollout;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.server.host.FleetJson;

/** Evidence documents for server tests, in the shape the agent sends ({@code klpfleet kernel load --json}, docs/CLI.md). */
public final class Evidence {
    private Evidence() {}

    /**
     * An apply document as documented in docs/CLI.md, with {@code impact.insmod.ksoftirqdMaxDelayNanos}
     * set to {@code ksoftirqdMaxDelayNanos}.
     */
    public static JsonNode documented(String result, long ksoftirqdMaxDelayNanos) {
        try {
            ObjectNode doc = (ObjectNode) FleetJson.mapper().readTree("""
                    {"result": "applied", "patch": "klpf_cmdline", "module": "/var/lib/klpfleet/cache/klpf_cmdline.ko",
                     "sha256": "ab", "kernelRelease": "6.1.0-56-amd64", "message": "applied",
                     "preflight": [], "timings": {"insmodMs": 40, "insmodCpuMs": 30, "transitionMs": 1010, "detectionLagMs": 6,
                     "revertMs": null, "totalMs": 1300}, "blockers": [], "replaced": [], "kernelLog": [],
                     "impact": {
                       "insmod": {"elapsed": 40, "ksoftirqdMaxDelayNanos": 0, "ksoftirqdTotalDelayNanos": 0, "retransSegs": 0,
                                  "cpuSomeMicros": 1200, "ioSomeMicros": 0, "ioFullMicros": 0, "processCpuMillis": null},
                       "transition": {"elapsed": 1020, "ksoftirqdMaxDelayNanos": 0, "ksoftirqdTotalDelayNanos": 0, "retransSegs": 3,
                                  "cpuSomeMicros": 800, "ioSomeMicros": 0, "ioFullMicros": 0, "processCpuMillis": null}}}
                    """);
            doc.put("result", result);
            ((ObjectNode) doc.path("impact").path("insmod")).put("ksoftirqdMaxDelayNanos", ksoftirqdMaxDelayNanos);
            return doc;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
