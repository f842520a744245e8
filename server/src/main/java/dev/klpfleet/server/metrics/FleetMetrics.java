package dev.klpfleet.server.metrics;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.Outcome;
import dev.klpfleet.protocol.outcome.UnloadResult;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The server's own meters, kept as state changes so a scrape reads memory only. Every label takes
 * values from a closed set (wire names of the outcome vocabulary, enum names), never a host id;
 * docs/OBSERVABILITY.md lists each name and label.
 */
public final class FleetMetrics {
    private final MeterRegistry registry;
    private final Timer checkins;
    private final Map<EventKind, Map<String, Counter>> events = new EnumMap<>(EventKind.class);
    private final Counter downloadsServed;
    private final Counter downloadsMissing;
    private final Counter downloadBytes;
    private final Timer engineTicks;
    private final Counter engineTickFailures;
    private final Counter rolloutsStepped;
    private final Map<String, Counter> gateTrips = new HashMap<>();
    private final Map<HaltCause, Counter> halts = new EnumMap<>(HaltCause.class);
    private final AtomicLong leaseHeld = new AtomicLong();
    private final AtomicLong lastTickMillis = new AtomicLong();
    private final AtomicLong lastStepMillis = new AtomicLong();
    private final RolloutSeries rollouts;

    /** Why a rollout stopped moving: a gate tripped, an operator stopped it, or stepping it threw. */
    public enum HaltCause {
        GATE, OPERATOR, ENGINE_ERROR;

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public FleetMetrics(MeterRegistry registry) {
        this.registry = registry;
        checkins = Timer.builder("klpfleet.checkins").description("Host check-ins answered, with the time each took")
                .register(registry);
        for (EventKind k : EventKind.values()) {
            Map<String, Counter> byOutcome = new HashMap<>();
            for (Outcome o : vocabulary(k)) {
                byOutcome.put(o.wire(), eventCounter(k, o.wire()));
            }
            byOutcome.putIfAbsent("unknown", eventCounter(k, "unknown"));
            events.put(k, byOutcome);
        }
        downloadsServed = Counter.builder("klpfleet.artifact.downloads").tag("result", "served")
                .description("Module downloads by result").register(registry);
        downloadsMissing = Counter.builder("klpfleet.artifact.downloads").tag("result", "not_found")
                .description("Module downloads by result").register(registry);
        downloadBytes = Counter.builder("klpfleet.artifact.download").baseUnit("bytes")
                .description("Module bytes served").register(registry);
        engineTicks = Timer.builder("klpfleet.engine.ticks").description("Rollout engine ticks, with the time each took")
                .register(registry);
        engineTickFailures = Counter.builder("klpfleet.engine.tick.failures")
                .description("Engine ticks that threw (the next tick retries)").register(registry);
        rolloutsStepped = Counter.builder("klpfleet.engine.rollouts.stepped")
                .description("Rollouts the engine stepped, summed over ticks").register(registry);
        for (String action : new String[] {"pause", "rollback"}) {
            gateTrips.put(action, Counter.builder("klpfleet.rollout.gate.trips").tag("action", action)
                    .description("Gates that tripped, by what they then did").register(registry));
        }
        for (HaltCause c : HaltCause.values()) {
            halts.put(c, Counter.builder("klpfleet.rollout.halts").tag("cause", c.label())
                    .description("Running rollouts stopped (paused, aborted, rolled back), by cause").register(registry));
        }
        registry.gauge("klpfleet.engine.lease.held", leaseHeld);
        io.micrometer.core.instrument.Gauge.builder("klpfleet.engine.last.tick.timestamp", lastTickMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds").description("Wall-clock time of this process's last completed engine tick").register(registry);
        io.micrometer.core.instrument.Gauge.builder("klpfleet.engine.last.step.timestamp", lastStepMillis, v -> v.get() / 1000.0)
                .baseUnit("seconds").description("Wall-clock time this process last stepped rollouts holding the engine lease")
                .register(registry);
        rollouts = new RolloutSeries(registry);
    }

    /** Meters nobody scrapes: for services built without a server around them (tests, tools). */
    public static FleetMetrics unregistered() {
        return new FleetMetrics(new SimpleMeterRegistry());
    }

    public MeterRegistry registry() {
        return registry;
    }

    private Counter eventCounter(EventKind k, String outcome) {
        return Counter.builder("klpfleet.events").tag("kind", k.wire()).tag("outcome", outcome)
                .description("Host events recorded, by kind and outcome wire name").register(registry);
    }

    /** Every outcome an event of kind {@code k} may carry; exhaustive so a new kind is a compile error here. */
    private static Outcome[] vocabulary(EventKind k) {
        return switch (k) {
            case APPLY -> ApplyResult.values();
            case UNLOAD -> UnloadResult.values();
            case HEALTH -> HealthKind.values();
            case UNKNOWN -> new Outcome[0];
        };
    }

    public void checkin(long nanos) {
        checkins.record(nanos, TimeUnit.NANOSECONDS);
    }

    /** Counts a recorded event; an outcome outside its kind's vocabulary counts as {@code unknown}. */
    public void event(EventKind kind, Outcome outcome) {
        Map<String, Counter> byOutcome = events.get(kind == null ? EventKind.UNKNOWN : kind);
        Counter c = outcome == null ? null : byOutcome.get(outcome.wire());
        (c == null ? byOutcome.get("unknown") : c).increment();
    }

    public void download(int bytes) {
        downloadsServed.increment();
        downloadBytes.increment(bytes);
    }

    public void downloadMissing() {
        downloadsMissing.increment();
    }

    /** One engine tick: how long it took, whether this process held the lease, how many rollouts it stepped. */
    public void tick(long nanos, boolean held, int stepped, long wallMillis) {
        engineTicks.record(nanos, TimeUnit.NANOSECONDS);
        leaseHeld.set(held ? 1 : 0);
        lastTickMillis.set(wallMillis);
        if (held) {
            lastStepMillis.set(wallMillis);
            rolloutsStepped.increment(stepped);
        }
    }

    public void tickFailed() {
        engineTickFailures.increment();
    }

    public void gateTripped(boolean rollback) {
        gateTrips.get(rollback ? "rollback" : "pause").increment();
    }

    public void halted(HaltCause cause) {
        halts.get(cause).increment();
    }

    /** The per-rollout series the engine publishes every tick. */
    public RolloutSeries rollouts() {
        return rollouts;
    }
}
