package dev.klpfleet.server.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Series of the rollouts that are still running or paused, one set per rollout (never per host):
 * hosts by phase, each gate's current value and threshold, why it is halted, and hosts with no build
 * by kernel release. The engine publishes them after every tick; a rollout that finished or that this
 * process no longer steps (it lost the engine lease) drops out.
 */
public final class RolloutSeries {
    private final GaugeRows hosts;
    private final GaugeRows gateValue;
    private final GaugeRows gateThreshold;
    private final GaugeRows halted;
    private final GaugeRows noBuild;
    private volatile Map<String, Figures> current = Map.of();
    private final Map<String, Map<String, Long>> noBuildByRelease = new ConcurrentHashMap<>();

    /** One gate of a rollout: its label value, its value now, and the value that trips it. */
    public record Gate(String name, double value, double threshold) {}

    /**
     * @param status    the rollout's status name (RUNNING, PAUSED)
     * @param haltCause why it is halted, or null while it runs
     * @param phases    host count by phase name, every phase present
     * @param noBuild   ids of its hosts with no build, for the refresher to count by kernel release
     */
    public record Figures(String rollout, String patch, String version, String status, FleetMetrics.HaltCause haltCause,
                          Map<String, Long> phases, List<Gate> gates, List<String> noBuild) {
        Tags tags() {
            return Tags.of("rollout", rollout, "patch", patch, "version", version);
        }
    }

    RolloutSeries(MeterRegistry registry) {
        hosts = new GaugeRows(MultiGauge.builder("klpfleet.rollout.hosts").description("Hosts of a running or paused rollout by phase")
                .register(registry));
        gateValue = new GaugeRows(MultiGauge.builder("klpfleet.rollout.gate.value")
                .description("A gate's current value in a running or paused rollout").register(registry));
        gateThreshold = new GaugeRows(MultiGauge.builder("klpfleet.rollout.gate.threshold")
                .description("The value above which a rollout's gate trips").register(registry));
        halted = new GaugeRows(MultiGauge.builder("klpfleet.rollout.halted")
                .description("1 for a paused rollout, labelled by why it halted").register(registry));
        noBuild = new GaugeRows(MultiGauge.builder("klpfleet.rollout.no.build.hosts")
                .description("Hosts of a running or paused rollout whose kernel release has no build, by release").register(registry));
    }

    /** Replaces every rollout series with {@code figures}. */
    public synchronized void publish(Collection<Figures> figures) {
        Map<String, Figures> next = new java.util.LinkedHashMap<>();
        Map<Tags, Number> h = new java.util.HashMap<>();
        Map<Tags, Number> gv = new java.util.HashMap<>();
        Map<Tags, Number> gt = new java.util.HashMap<>();
        Map<Tags, Number> ht = new java.util.HashMap<>();
        for (Figures f : figures) {
            next.put(f.rollout(), f);
            f.phases().forEach((phase, n) -> h.put(f.tags().and("phase", phase), n));
            for (Gate g : f.gates()) {
                gv.put(f.tags().and("gate", g.name()), g.value());
                gt.put(f.tags().and("gate", g.name()), g.threshold());
            }
            if (f.haltCause() != null) {
                ht.put(f.tags().and("cause", f.haltCause().label()), 1);
            }
        }
        current = Map.copyOf(next);
        noBuildByRelease.keySet().retainAll(next.keySet());
        hosts.set(h);
        gateValue.set(gv);
        gateThreshold.set(gt);
        halted.set(ht);
        registerNoBuild();
    }

    /** The rollouts published last, by id. */
    public Map<String, Figures> current() {
        return current;
    }

    /** Sets the no-build host counts by kernel release of each published rollout (from the refresher). */
    public synchronized void noBuild(Map<String, Map<String, Long>> byRollout) {
        noBuildByRelease.clear();
        byRollout.forEach((id, m) -> {
            if (current.containsKey(id)) {
                noBuildByRelease.put(id, Map.copyOf(m));
            }
        });
        registerNoBuild();
    }

    private void registerNoBuild() {
        Map<Tags, Number> rows = new java.util.HashMap<>();
        noBuildByRelease.forEach((id, m) -> {
            Figures f = current.get(id);
            if (f != null) {
                m.forEach((release, n) -> rows.put(f.tags().and("kernel_release", release), n));
            }
        });
        noBuild.set(rows);
    }
}
