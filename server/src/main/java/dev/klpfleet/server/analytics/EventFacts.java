package dev.klpfleet.server.analytics;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.UnloadResult;
import dev.klpfleet.protocol.outcome.EventKind;
import java.util.EnumMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Writes the figures of one apply or unload event's evidence (a LoadResult, as the agent sends it)
 * into {@code event_facts} and {@code event_blockers}, inside the transaction that records the
 * event, so the analytics are aggregate queries over narrow rows instead of reads of every evidence
 * document. A figure the evidence does not carry is stored as NULL and left out of its percentile.
 */
public final class EventFacts {
    /** The function name stored for a blocking task none of whose frames is a patched function. */
    public static final String NO_PATCHED_FRAME = "(no patched function on its stack)";
    /** Longest function or task name stored; a kernel symbol with module is well below it. */
    static final int MAX_NAME = 256;

    private EventFacts() {}

    /** Records the facts of {@code e}, reported by {@code hostId}; health events have none. */
    public static void record(Handle h, String hostId, HostEvent e, long receivedAt) {
        Category category;
        if (e.result() instanceof ApplyResult a) {
            category = Category.of(a);
        } else if (e.result() instanceof UnloadResult u) {
            category = Category.of(u);
        } else {
            return;
        }
        JsonNode ev = e.evidence() == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : e.evidence();
        String kernel = ev.path("kernelRelease").isTextual() ? ev.path("kernelRelease").asText()
                : h.createQuery("SELECT kernel_release FROM hosts WHERE id = :h").bind("h", hostId).mapTo(String.class).findOne().orElse("");
        kernel = bounded(kernel);
        JsonNode timings = ev.path("timings");
        JsonNode insmod = ev.path("impact").path("insmod");
        JsonNode transition = ev.path("impact").path("transition");
        Long cpu = number(timings.path("insmodCpuMs"));
        Long tr = number(timings.path("transitionMs"));
        Long ksd = max(number(insmod.path("ksoftirqdMaxDelayNanos")), number(transition.path("ksoftirqdMaxDelayNanos")));
        Long rt = sum(number(insmod.path("retransSegs")), number(transition.path("retransSegs")));
        boolean fresh = h.createUpdate("INSERT INTO event_facts (host_id, event_id, kind, result, category, patch_name, patch_version, kernel_release, "
                        + "insmod_cpu_ms, transition_ms, ksoftirqd_delay_ns, retrans_segs, received_at) "
                        + "VALUES (:h, :e, :k, :r, :c, :p, :v, :kr, :cpu, :tr, :ksd, :rt, :at) ON CONFLICT (host_id, event_id) DO NOTHING")
                .bind("h", hostId).bind("e", e.eventId()).bind("k", e.kind().wire()).bind("r", e.result().wire()).bind("c", category.wire())
                .bind("p", e.patch()).bind("v", e.version()).bind("kr", kernel)
                .bind("cpu", cpu).bind("tr", tr).bind("ksd", ksd).bind("rt", rt)
                .bind("at", receivedAt).execute() == 1;
        if (fresh && e.kind() == EventKind.APPLY) {
            Map<ImpactMetric, Long> figures = new EnumMap<>(ImpactMetric.class);
            putIfPresent(figures, ImpactMetric.KSOFTIRQD_DELAY_NS, ksd);
            putIfPresent(figures, ImpactMetric.RETRANS_SEGS, rt);
            putIfPresent(figures, ImpactMetric.INSMOD_CPU_MS, cpu);
            putIfPresent(figures, ImpactMetric.TRANSITION_MS, tr);
            ApplyRollups.add(h, kernel, e.patch(), hostId, e.result().wire(), category, figures);
        }
        Set<java.util.List<String>> rows = new LinkedHashSet<>();
        for (JsonNode b : ev.path("blockers")) {
            String comm = bounded(b.path("comm").asText("?"));
            boolean any = false;
            for (JsonNode f : b.path("functions")) {
                if (f.isTextual()) {
                    rows.add(java.util.List.of(bounded(f.asText()), comm));
                    any = true;
                }
            }
            if (!any) {
                rows.add(java.util.List.of(NO_PATCHED_FRAME, comm));
            }
        }
        for (java.util.List<String> row : rows) {
            h.createUpdate("INSERT INTO event_blockers (host_id, event_id, patch_name, kernel_release, func, comm) "
                            + "VALUES (:h, :e, :p, :kr, :f, :c) ON CONFLICT DO NOTHING")
                    .bind("h", hostId).bind("e", e.eventId()).bind("p", e.patch()).bind("kr", kernel).bind("f", row.get(0)).bind("c", row.get(1))
                    .execute();
        }
    }

    private static void putIfPresent(Map<ImpactMetric, Long> figures, ImpactMetric m, Long v) {
        if (v != null) {
            figures.put(m, v);
        }
    }

    private static String bounded(String s) {
        return s.length() > MAX_NAME ? s.substring(0, MAX_NAME) : s;
    }

    /** A whole, non-negative number of the evidence, or null when absent, null or not one. */
    static Long number(JsonNode n) {
        return n.isIntegralNumber() && n.asLong() >= 0 ? n.asLong() : null;
    }

    private static Long max(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(Math.max(a, b));
    }

    private static Long sum(Long a, Long b) {
        return a == null ? b : b == null ? a : Long.valueOf(a + b);
    }
}
