package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.kmsg.KmsgMark;
import dev.klpfleet.kernel.kmsg.KmsgReader;
import dev.klpfleet.kernel.kmsg.KmsgRecord;
import dev.klpfleet.kernel.kmsg.KmsgWindow;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The kernel log of one operation, and the kernel's own timing of its transitions.
 *
 * <p>Log timestamps count from boot on the kernel's local clock; we map them onto the injected
 * clock through the start marker, whose write time we know on both clocks. That makes the
 * detection lag (kernel logged "patching complete" -> we saw {@code transition} read 0)
 * measurable without trusting either clock's absolute value.
 *
 * <p>When {@code /dev/kmsg} cannot be opened (not root, {@code printk.devkmsg=off}, a fixture
 * tree) the window is empty and the times are unknown; the operation itself goes on.
 */
final class KernelLogWindow implements AutoCloseable {
    /** The marker normally comes back in microseconds; a busy ring buffer replay can take longer. */
    static final Duration MARK_WAIT = Duration.ofSeconds(5);
    /** How long a collection waits for its closing marker. */
    static final Duration COLLECT_WAIT = Duration.ofSeconds(2);

    private final KmsgReader reader;
    private final KmsgMark mark;
    private final Instant markWrittenAt;

    private KernelLogWindow(KmsgReader reader, KmsgMark mark, Instant markWrittenAt) {
        this.reader = reader;
        this.mark = mark;
        this.markWrittenAt = markWrittenAt;
    }

    static KernelLogWindow open(KernelRoot root, InstantSource clock, String label) {
        KmsgReader reader = null;
        try {
            reader = KmsgReader.open(root, clock);
            KmsgMark mark = reader.mark(label, MARK_WAIT);
            return new KernelLogWindow(reader, mark, mark.writtenAt());
        } catch (IOException | RuntimeException e) {
            closeQuietly(reader);
            return new KernelLogWindow(null, null, null);
        }
    }

    /** The records since the start marker; empty when the log is unavailable. */
    List<KmsgRecord> records() {
        if (reader == null) {
            return List.of();
        }
        try {
            KmsgWindow w = reader.collect(mark, COLLECT_WAIT);
            return w.records();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    List<String> lines() {
        return records().stream().map(KernelLogWindow::format).toList();
    }

    /**
     * The kernel's duration of {@code patch}'s last transition (from "starting ... transition" to
     * "... complete", kernel/livepatch/transition.c) and the lag from its completion to {@code seenAt}.
     */
    OperationLog.TransitionTimes transitionTimes(String patch, Instant seenAt) {
        List<KmsgRecord> records = records();
        String quoted = "'" + patch + "': ";
        Optional<KmsgRecord> started = last(records, quoted, " transition");
        Optional<KmsgRecord> completed = last(records, quoted, " complete");
        if (started.isEmpty() || completed.isEmpty() || completed.get().sequence() < started.get().sequence()) {
            return new OperationLog.TransitionTimes(null, null);
        }
        long transitionMs = completed.get().sinceBoot().minus(started.get().sinceBoot()).toMillis();
        Long lagMs = null;
        if (mark.sinceBoot() != null) {
            Instant completedAt = markWrittenAt.plus(completed.get().sinceBoot().minus(mark.sinceBoot()));
            lagMs = Math.max(0, Duration.between(completedAt, seenAt).toMillis());
        }
        return new OperationLog.TransitionTimes(transitionMs, lagMs);
    }

    private static Optional<KmsgRecord> last(List<KmsgRecord> records, String prefix, String suffix) {
        KmsgRecord found = null;
        for (KmsgRecord r : records) {
            String m = r.message();
            int at = m.indexOf(prefix);
            if (at >= 0 && m.endsWith(suffix) && (suffix.equals(" complete") || m.contains("starting "))) {
                found = r;
            }
        }
        return Optional.ofNullable(found);
    }

    private static String format(KmsgRecord r) {
        long us = r.sinceBoot().toNanos() / 1000;
        return String.format(Locale.ROOT, "[%5d.%06d] %s", us / 1_000_000, us % 1_000_000, r.message());
    }

    @Override
    public void close() {
        closeQuietly(reader);
    }

    private static void closeQuietly(KmsgReader reader) {
        if (reader == null) {
            return;
        }
        try {
            reader.close();
        } catch (IOException | RuntimeException ignored) {
            // nothing left to read from a log we are done with
        }
    }
}
