package dev.klpfleet.kernel.transition;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.task.Tasks;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import dev.klpfleet.kernel.time.MonotonicClock;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransitionWatchTest {
    private static final long T0 = 0;
    private final AtomicLong now = new AtomicLong(T0);
    private final MonotonicClock clock = now::get;

    private TransitionWatch watch(KernelRoot root, Pause pause) {
        return new TransitionWatch(new LivepatchSysfs(root), new BlockerFinder(new Tasks(root)), clock, pause);
    }

    /** A pause that advances the fake clock and lets the "kernel" act at a given time. */
    private Pause kernelActsAt(Duration when, Runnable act) {
        return d -> {
            long next = now.get() + d.toNanos();
            if (now.get() < T0 + when.toNanos() && next >= T0 + when.toNanos()) {
                act.run();
            }
            now.set(next);
        };
    }

    @Test
    void a_transition_that_completes_is_seen_within_one_poll_interval(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        Duration kernelDone = Duration.ofMillis(1234);

        TransitionOutcome out = watch(root, kernelActsAt(kernelDone, () -> write(root, "transition", "0")))
                .await("klpf_target_patch", T0, Duration.ofSeconds(30));

        assertThat(out).isInstanceOf(TransitionOutcome.Completed.class);
        assertThat(out.elapsed()).isBetween(kernelDone, kernelDone.plus(TransitionWatch.POLL_INTERVAL));
    }

    @Test
    void a_transition_still_running_at_the_timeout_is_stalled_with_its_blockers(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);

        TransitionOutcome out = watch(root, kernelActsAt(Duration.ofDays(1), () -> {}))
                .await("klpf_target_patch", T0, Duration.ofSeconds(5));

        assertThat(out).isInstanceOfSatisfying(TransitionOutcome.Stalled.class, s -> {
            assertThat(s.elapsed()).isGreaterThanOrEqualTo(Duration.ofSeconds(5));
            assertThat(s.blockers()).extracting(Blocker::comm).contains("klpf_sleeper");
        });
    }

    @Test
    void a_patch_whose_directory_disappears_has_vanished(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);

        TransitionOutcome out = watch(root, kernelActsAt(Duration.ofMillis(300), () -> {
            try {
                Files.delete(root.path("/sys/kernel/livepatch/klpf_target_patch/transition"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        })).await("klpf_target_patch", T0, Duration.ofSeconds(5));

        assertThat(out).isInstanceOf(TransitionOutcome.Vanished.class);
    }

    private static void write(KernelRoot root, String attr, String value) {
        try {
            root.write("/sys/kernel/livepatch/klpf_target_patch/" + attr, value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
