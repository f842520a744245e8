package dev.klpfleet.kernel.transition;

import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.time.MonotonicClock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Waits for one patch's transition to end by polling {@code /sys/kernel/livepatch/<patch>/transition}.
 *
 * <p>kpatch polls once a second; we poll every {@link #POLL_INTERVAL}, so the caller learns that a
 * patch is in within that much of the kernel finishing. Reading one sysfs attribute costs a few
 * microseconds, so the poll itself is not a load on the host.
 *
 * <p>While the transition lasts longer than {@link #BLOCKERS_AFTER}, the watch samples the blocking
 * tasks every {@link #BLOCKERS_EVERY}; a stalled outcome carries the last sample as evidence.
 */
public final class TransitionWatch {
    /** Between two reads of {@code transition}. */
    public static final Duration POLL_INTERVAL = Duration.ofMillis(10);
    /**
     * The kernel retries switching tasks about once a second (klp_transition_work_fn), so a
     * transition that lasts longer than this has met a task it could not switch.
     */
    public static final Duration BLOCKERS_AFTER = Duration.ofMillis(1500);
    /** Between two samples of blockers; each costs a stack unwind per unswitched task. */
    public static final Duration BLOCKERS_EVERY = Duration.ofSeconds(1);

    private final LivepatchSysfs sysfs;
    private final BlockerFinder blockers;
    private final MonotonicClock clock;
    private final Pause pause;

    /** @param clock the deadline's time source: monotonic, so a wall-clock step cannot fake a stall */
    public TransitionWatch(LivepatchSysfs sysfs, BlockerFinder blockers, MonotonicClock clock, Pause pause) {
        this.sysfs = sysfs;
        this.blockers = blockers;
        this.clock = clock;
        this.pause = pause;
    }

    /** A reading of this watch's clock, to start a wait from. */
    public long now() {
        return clock.nanoTime();
    }

    /**
     * Polls until {@code patch}'s transition ends or {@code stallTimeout} has passed since
     * {@code startNanos} (a reading of this watch's monotonic clock). Never writes anything.
     *
     * @throws InterruptedException if the thread is interrupted while waiting
     */
    public TransitionOutcome await(String patch, long startNanos, Duration stallTimeout) throws InterruptedException {
        return await(patch, startNanos, stallTimeout, () -> {});
    }

    /**
     * As {@link #await(String, long, Duration)}, running {@code afterFirstLook} once the first
     * read found the transition still running: slower bookkeeping goes there, so a transition that
     * already completed (the kernel often finishes inside insmod) is seen without delay.
     */
    public TransitionOutcome await(String patch, long startNanos, Duration stallTimeout, Runnable afterFirstLook)
            throws InterruptedException {
        boolean firstLook = true;
        long deadline = startNanos + stallTimeout.toNanos();
        long nextSample = startNanos + BLOCKERS_AFTER.toNanos();
        List<Blocker> lastBlockers = List.of();
        while (true) {
            Optional<Boolean> transition = sysfs.transition(patch);
            long now = clock.nanoTime();
            Duration elapsed = Duration.ofNanos(now - startNanos);
            if (transition.isEmpty()) {
                return new TransitionOutcome.Vanished(elapsed);
            }
            if (!transition.get()) {
                return new TransitionOutcome.Completed(elapsed);
            }
            if (now - deadline >= 0) {
                List<Blocker> fresh = sample(patch);
                return new TransitionOutcome.Stalled(elapsed, fresh.isEmpty() ? lastBlockers : fresh);
            }
            if (firstLook) {
                afterFirstLook.run();
                firstLook = false;
            }
            if (now - nextSample >= 0) {
                List<Blocker> sampled = sample(patch);
                if (!sampled.isEmpty()) {
                    lastBlockers = sampled;
                }
                nextSample = now + BLOCKERS_EVERY.toNanos();
            }
            pause.sleep(POLL_INTERVAL);
        }
    }

    private List<Blocker> sample(String patch) {
        Optional<KlpPatch> p = sysfs.patch(patch);
        return p.map(blockers::blockers).orElse(List.of());
    }
}
