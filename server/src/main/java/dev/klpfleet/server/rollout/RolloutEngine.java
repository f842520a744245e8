package dev.klpfleet.server.rollout;

import dev.klpfleet.server.metrics.FleetMetrics;
import dev.klpfleet.server.storage.Lease;
import java.time.Duration;
import java.time.InstantSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drives every rollout forward on a fixed tick, in at most one server process at a time:
 * the process holding the {@code rollout-engine} lease steps; the others wait for it to lapse.
 * The revision guard in {@link Rollouts} keeps decisions single even while a lapsed lease overlaps.
 */
public final class RolloutEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutEngine.class);
    /** How long a holder keeps the lease without renewing; a dead server's engine is taken over after this. */
    public static final Duration LEASE_TTL = Duration.ofSeconds(10);

    private final Rollouts rollouts;
    private final Lease lease;
    private final InstantSource clock;
    private final Duration tick;
    private final Thread thread;
    private volatile boolean running = true;

    private final FleetMetrics metrics;

    public RolloutEngine(Rollouts rollouts, Lease lease, InstantSource clock, Duration tick) {
        this(rollouts, lease, clock, tick, FleetMetrics.unregistered());
    }

    public RolloutEngine(Rollouts rollouts, Lease lease, InstantSource clock, Duration tick, FleetMetrics metrics) {
        this.metrics = metrics;
        this.rollouts = rollouts;
        this.lease = lease;
        this.clock = clock;
        this.tick = tick;
        this.thread = new Thread(this::loop, "rollout-engine");
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** One tick: take or renew the lease, and if held, step every rollout. Returns decisions recorded. */
    public int tickOnce() {
        long started = System.nanoTime();
        if (!lease.acquire(clock.instant())) {
            // Another process steps the rollouts and publishes their series; ours would go stale.
            rollouts.unpublish();
            metrics.tick(System.nanoTime() - started, false, 0, clock.millis());
            return 0;
        }
        int decided = rollouts.stepAll();
        metrics.tick(System.nanoTime() - started, true, rollouts.lastStepped(), clock.millis());
        return decided;
    }

    private void loop() {
        while (running) {
            try {
                tickOnce();
            } catch (RuntimeException e) {
                metrics.tickFailed();
                LOG.warn("rollout engine tick failed; retrying next tick: {}", e.toString());
            }
            try {
                Thread.sleep(tick.toMillis());
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    @Override
    public void close() {
        running = false;
        thread.interrupt();
        try {
            thread.join(Duration.ofSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            lease.release();
        } catch (RuntimeException e) {
            LOG.debug("could not release the engine lease on shutdown; it lapses after {}", LEASE_TTL);
        }
    }
}
