package dev.klpfleet.agent.metrics;

import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.controlplane.ControlPlaneException;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.CrashSuspect;
import dev.klpfleet.agent.state.Durable;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Timings;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * The agent's state as a node_exporter textfile ({@code --collector.textfile.directory}): kernel release,
 * each managed patch's state, the patches the crash-loop guard holds back, the last apply's result,
 * timings and impact, the last answered check-in, and the agent's own errors by kind. Rewritten after
 * every pass through a forced temp file and an atomic rename, so node_exporter never reads half a
 * file. docs/OBSERVABILITY.md lists every series.
 */
public final class Textfile {
    /** Failure kinds of a pass ({@link Pass#error()}), each with a series from the first write on. */
    private static final String[] ERROR_KINDS = errorKinds();

    private final Path file;
    private final Path temp;
    private final Map<String, Long> errors = new TreeMap<>();
    private Action lastApply;
    private Instant lastApplyAt;

    /** @param file where node_exporter reads it; must end in {@code .prom} */
    public Textfile(Path file) {
        if (!file.getFileName().toString().endsWith(".prom")) {
            throw new IllegalArgumentException("a node_exporter textfile must end in .prom: " + file);
        }
        this.file = file;
        // node_exporter reads only *.prom, so the half-written temp file is never collected.
        this.temp = file.resolveSibling(file.getFileName() + ".tmp");
        for (String k : ERROR_KINDS) {
            errors.put(k, 0L);
        }
    }

    private static String[] errorKinds() {
        ControlPlaneException.Kind[] kinds = ControlPlaneException.Kind.values();
        String[] out = new String[kinds.length + 2];
        for (int i = 0; i < kinds.length; i++) {
            out[i] = kinds[i].name().toLowerCase(Locale.ROOT);
        }
        out[kinds.length] = "not-enrolled";
        out[kinds.length + 1] = "io";
        return out;
    }

    /** Takes in one pass and rewrites the file. */
    public void passed(Pass p, AgentState state, String kernelRelease, Instant lastCheckin, Instant now) throws IOException {
        if (p.error() != null) {
            errors.merge(p.error(), 1L, Long::sum);
        }
        for (Action a : p.actions()) {
            if (a.action().equals("load")) {
                lastApply = a;
                lastApplyAt = now;
            }
        }
        byte[] text = render(state, kernelRelease, lastCheckin, now).getBytes(StandardCharsets.UTF_8);
        Durable.writeForced(temp, text);
        Durable.publish(temp, file);
    }

    String render(AgentState state, String kernelRelease, Instant lastCheckin, Instant now) {
        StringBuilder b = new StringBuilder();
        head(b, "klpfleet_agent_info", "gauge", "1, labelled with the kernel release the agent last reported");
        b.append("klpfleet_agent_info{kernel_release=\"").append(esc(kernelRelease == null ? "unknown" : kernelRelease)).append("\"} 1\n");
        head(b, "klpfleet_agent_patch", "gauge", "1 per patch this agent manages, labelled with its state (loading, loaded, unloading)");
        for (ManagedPatch m : state.managed().values()) {
            b.append("klpfleet_agent_patch{patch=\"").append(esc(m.patch())).append("\",version=\"").append(esc(m.version()))
                    .append("\",state=\"").append(m.phase().name().toLowerCase(Locale.ROOT)).append("\"} 1\n");
        }
        crashHolds(b, state);
        head(b, "klpfleet_agent_last_checkin_timestamp_seconds", "gauge", "When the server last answered a check-in; 0 before it did");
        b.append("klpfleet_agent_last_checkin_timestamp_seconds ").append(seconds(lastCheckin)).append('\n');
        head(b, "klpfleet_agent_errors_total", "counter", "Failed passes since the agent started, by kind");
        errors.forEach((k, n) -> b.append("klpfleet_agent_errors_total{kind=\"").append(esc(k)).append("\"} ").append(n).append('\n'));
        head(b, "klpfleet_agent_dropped_events_total", "counter", "Events the server refused for good and the agent dropped");
        b.append("klpfleet_agent_dropped_events_total ").append(state.droppedEvents()).append('\n');
        head(b, "klpfleet_agent_outbox_events", "gauge", "Events decided but not yet acknowledged by the server");
        b.append("klpfleet_agent_outbox_events ").append(state.outbox().size()).append('\n');
        if (lastApply != null) {
            String labels = patchLabels(lastApply.patch(), lastApply.version());
            head(b, "klpfleet_agent_last_apply", "gauge", "1, labelled with the last apply's patch, version and result wire name");
            b.append("klpfleet_agent_last_apply{").append(labels).append(",result=\"").append(esc(lastApply.result())).append("\"} 1\n");
            head(b, "klpfleet_agent_last_apply_timestamp_seconds", "gauge", "When the last apply ended");
            b.append("klpfleet_agent_last_apply_timestamp_seconds ").append(seconds(lastApplyAt)).append('\n');
            LoadResult r = lastApply.evidence();
            if (r != null && r.timings() != null) {
                head(b, "klpfleet_agent_last_apply_duration_seconds", "gauge", "Where the last apply's time went, by phase");
                Timings t = r.timings();
                duration(b, "insmod", t.insmodMs());
                duration(b, "insmod_cpu", t.insmodCpuMs());
                duration(b, "transition", t.transitionMs());
                duration(b, "detection_lag", t.detectionLagMs());
                duration(b, "revert", t.revertMs());
                duration(b, "total", t.totalMs());
            }
            if (r != null && r.impact() != null) {
                head(b, "klpfleet_agent_last_apply_impact", "gauge", "The last apply's impact figures by path (as gates name them)");
                impact(b, "insmod", r.impact().insmod());
                impact(b, "transition", r.impact().transition());
            }
        }
        head(b, "klpfleet_agent_textfile_timestamp_seconds", "gauge", "When the agent wrote this file");
        b.append("klpfleet_agent_textfile_timestamp_seconds ").append(seconds(now)).append('\n');
        return b.toString();
    }

    /** The crash-loop guard's holds ({@link AgentState#crashSuspects()}): patch and version only, so one series per held patch. */
    private static void crashHolds(StringBuilder b, AgentState state) {
        head(b, "klpfleet_agent_crash_holds", "gauge", "Patches the crash-loop guard holds back until an operator clears them (klpfleet hosts clear-crash)");
        b.append("klpfleet_agent_crash_holds ").append(state.crashSuspects().size()).append('\n');
        head(b, "klpfleet_agent_crash_hold", "gauge", "1 per patch held back after a boot that went down while or soon after loading it");
        for (CrashSuspect c : state.crashSuspects().values()) {
            b.append("klpfleet_agent_crash_hold{").append(patchLabels(c.patch(), c.version())).append("} 1\n");
        }
        head(b, "klpfleet_agent_crash_hold_since_timestamp_seconds", "gauge", "When the agent found the crash and set the hold");
        for (CrashSuspect c : state.crashSuspects().values()) {
            // A hold without its time has no sample: 0 would read as held since 1970.
            if (c.detectedAt() != null) {
                b.append("klpfleet_agent_crash_hold_since_timestamp_seconds{").append(patchLabels(c.patch(), c.version())).append("} ")
                        .append(seconds(c.detectedAt())).append('\n');
            }
        }
    }

    private static String patchLabels(String patch, String version) {
        return "patch=\"" + esc(patch) + "\",version=\"" + esc(version) + "\"";
    }

    private static void duration(StringBuilder b, String phase, Long ms) {
        if (ms != null) {
            b.append("klpfleet_agent_last_apply_duration_seconds{phase=\"").append(phase).append("\"} ").append(ms / 1000.0).append('\n');
        }
    }

    private static void impact(StringBuilder b, String phase, ImpactDelta d) {
        if (d == null) {
            return;
        }
        Map<String, OptionalLong> f = new LinkedHashMap<>();
        f.put("elapsed", d.elapsed() == null ? OptionalLong.empty() : OptionalLong.of(d.elapsed().toMillis()));
        f.put("ksoftirqdMaxDelayNanos", OptionalLong.of(d.ksoftirqdMaxDelayNanos()));
        f.put("ksoftirqdTotalDelayNanos", OptionalLong.of(d.ksoftirqdTotalDelayNanos()));
        f.put("retransSegs", d.retransSegs());
        f.put("cpuSomeMicros", d.cpuSomeMicros());
        f.put("ioSomeMicros", d.ioSomeMicros());
        f.put("ioFullMicros", d.ioFullMicros());
        f.put("processCpuMillis", d.processCpuMillis());
        f.forEach((k, v) -> v.ifPresent(x -> b.append("klpfleet_agent_last_apply_impact{path=\"").append(phase).append('.').append(k)
                .append("\"} ").append(x).append('\n')));
    }

    private static void head(StringBuilder b, String name, String type, String help) {
        b.append("# HELP ").append(name).append(' ').append(help).append('\n');
        b.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String seconds(Instant t) {
        return t == null ? "0" : Double.toString(t.toEpochMilli() / 1000.0);
    }

    /** A label value as the text format wants it: backslash, quote and newline escaped. */
    private static String esc(String v) {
        if (v == null) {
            return "";
        }
        return v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
