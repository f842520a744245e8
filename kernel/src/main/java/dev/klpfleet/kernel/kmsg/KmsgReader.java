package dev.klpfleet.kernel.kmsg;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.time.MonotonicClock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows the kernel log through {@code /dev/kmsg} and answers "what did the kernel log since I
 * started?" exactly, without timing guesses.
 *
 * <p>Why it works this way: {@code /dev/kmsg} returns exactly one record per read() and blocks
 * when none is new; it supports only lseek(0, SEEK_SET/SEEK_END/SEEK_DATA), and Java's
 * FileChannel can issue neither SEEK_END nor a non-blocking read, so "where is the end now?"
 * cannot be asked directly. Instead {@link #mark} writes a uniquely tagged record to
 * {@code /dev/kmsg} (as a root writer may) and a reader thread consumes records until that marker
 * comes back: everything before it is old. {@link #collect} writes a second marker and gathers
 * everything up to it: a complete window with no quiet-period heuristics. A read that fails with
 * EPIPE means the ring buffer overwrote records; the kernel then continues at the oldest
 * available one, and the gap shows in the sequence numbers.
 *
 * <p>The markers also leave a useful trail in {@code dmesg} ("klpfleet: mark apply foo [id]").
 * Requires write access to {@code /dev/kmsg} (root, and {@code printk.devkmsg} not {@code off}).
 * Thread-safe for one caller at a time; {@link #close} stops the reader thread.
 */
public final class KmsgReader implements AutoCloseable {

    public static final String PATH = "/dev/kmsg";

    /**
     * Read buffer for one record. A read with a smaller buffer than the record fails with EINVAL;
     * records are at most 8 KiB (CONSOLE_EXT_LOG_MAX before 6.1), less since.
     */
    static final int RECORD_BUFFER_BYTES = 16 * 1024;

    /** How long {@link #close} waits for the reader thread to notice the closed channel. */
    static final Duration READER_STOP_WAIT = Duration.ofSeconds(2);

    private static final String MARKER_PREFIX = "klpfleet: ";

    private final Path device;
    private final FileChannel channel;
    private final InstantSource clock;
    private final BlockingQueue<KmsgRecord> queue = new LinkedBlockingQueue<>();
    private final Thread reader;
    private final Set<String> ownMarkers = new HashSet<>();
    private volatile IOException failure;

    private KmsgMark current;
    private Instant lastMarkerWrittenAt;
    private final List<KmsgRecord> sinceMark = new ArrayList<>();
    private long lastSequence = -1;
    private long lost;

    private KmsgReader(Path device, FileChannel channel, InstantSource clock) {
        this.device = device;
        this.channel = channel;
        this.clock = clock;
        this.reader = new Thread(this::readLoop, "kmsg-reader");
        this.reader.setDaemon(true);
    }

    /**
     * Opens {@code /dev/kmsg} under {@code root} and starts reading from the oldest record still
     * in the ring buffer.
     *
     * @throws IOException when the device cannot be opened (EPERM with {@code printk.devkmsg=off})
     */
    public static KmsgReader open(KernelRoot root, InstantSource clock) throws IOException {
        Path device = root.path(PATH);
        KmsgReader r = new KmsgReader(device, FileChannel.open(device, StandardOpenOption.READ), clock);
        r.reader.start();
        return r;
    }

    /**
     * Marks the current end of the kernel log: writes a marker record and consumes every record up
     * to and including it. Forgets the records of any earlier mark.
     *
     * @param label what is about to happen, e.g. {@code "apply livepatch_foo"}; control characters
     *     are replaced by spaces
     * @param within how long to wait for the marker to come back
     * @throws IOException when the marker cannot be written, the reader failed, or the marker was
     *     not read back within {@code within}
     */
    public synchronized KmsgMark mark(String label, Duration within) throws IOException {
        String marker = writeMarker("mark", label);
        long deadline = MonotonicClock.SYSTEM.nanoTime() + within.toNanos();
        while (true) {
            KmsgRecord r = next(deadline);
            if (r == null) {
                throw new IOException("kernel log marker '" + marker + "' not read back within " + within);
            }
            lastSequence = r.sequence();
            if (isMarker(r, marker)) {
                current = new KmsgMark(r.sequence(), clean(label), marker, r.sinceBoot(), lastMarkerWrittenAt);
                sinceMark.clear();
                lost = 0;
                return current;
            }
        }
    }

    /**
     * Every record logged after {@code mark} and before this call. Writes a closing marker and
     * reads up to it; calling again later returns the earlier records plus the newer ones.
     *
     * @param within how long to wait for the closing marker; when it runs out the window is
     *     returned with {@link KmsgWindow#complete()} false
     * @throws IllegalArgumentException when {@code mark} is not this reader's latest mark
     * @throws IOException when the closing marker cannot be written or the reader failed
     */
    public synchronized KmsgWindow collect(KmsgMark mark, Duration within) throws IOException {
        if (!mark.equals(current)) {
            throw new IllegalArgumentException("not this reader's latest mark: " + mark);
        }
        String marker = writeMarker("collect", mark.label());
        long deadline = MonotonicClock.SYSTEM.nanoTime() + within.toNanos();
        while (true) {
            KmsgRecord r = next(deadline);
            if (r == null) {
                return new KmsgWindow(mark, sinceMark, lost, false);
            }
            if (lastSequence >= 0 && r.sequence() > lastSequence + 1) {
                lost += r.sequence() - lastSequence - 1;
            }
            lastSequence = r.sequence();
            if (isMarker(r, marker)) {
                return new KmsgWindow(mark, sinceMark, lost, true);
            }
            if (!isOwnMarker(r)) {
                sinceMark.add(r);
            }
        }
    }

    /** Stops the reader thread and closes the device. */
    @Override
    public void close() throws IOException {
        channel.close();
        try {
            reader.join(READER_STOP_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next record, waiting until {@code deadline} (a {@link MonotonicClock#SYSTEM} reading: the queue's own wait is monotonic too). */
    private KmsgRecord next(long deadline) throws IOException {
        while (true) {
            long waitMs = Duration.ofNanos(deadline - MonotonicClock.SYSTEM.nanoTime()).toMillis();
            KmsgRecord r;
            try {
                r = waitMs <= 0 ? queue.poll() : queue.poll(Math.min(waitMs, 100), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while reading the kernel log", e);
            }
            if (r != null) {
                return r;
            }
            if (failure != null) {
                throw new IOException("kernel log reader failed: " + failure.getMessage(), failure);
            }
            if (waitMs <= 0) {
                return null;
            }
        }
    }

    private String writeMarker(String kind, String label) throws IOException {
        String marker = MARKER_PREFIX + kind + " " + clean(label) + " [" + UUID.randomUUID() + "]";
        ownMarkers.add(marker);
        // "<13>" = facility user (1), level notice (5). One write() is one record; a fresh open
        // per marker keeps clear of the per-open-file rate limit of printk.devkmsg=ratelimit.
        byte[] bytes = ("<13>" + marker + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel w = FileChannel.open(device, StandardOpenOption.WRITE)) {
            // The kernel stamps the record inside write(); the midpoint of the two readings is
            // that moment on our clock, within half the syscall's duration.
            Instant before = clock.instant();
            w.write(ByteBuffer.wrap(bytes));
            Instant after = clock.instant();
            lastMarkerWrittenAt = before.plus(Duration.between(before, after).dividedBy(2));
        }
        return marker;
    }

    private boolean isMarker(KmsgRecord r, String marker) {
        return r.facility() == KmsgRecord.FACILITY_USER && r.message().equals(marker);
    }

    private boolean isOwnMarker(KmsgRecord r) {
        return r.facility() == KmsgRecord.FACILITY_USER && ownMarkers.contains(r.message());
    }

    private static String clean(String label) {
        return label.replaceAll("\\p{Cntrl}", " ").strip();
    }

    private void readLoop() {
        ByteBuffer buf = ByteBuffer.allocateDirect(RECORD_BUFFER_BYTES);
        byte[] bytes = new byte[RECORD_BUFFER_BYTES];
        while (true) {
            buf.clear();
            int n;
            try {
                n = channel.read(buf);
            } catch (ClosedChannelException e) { // AsynchronousCloseException included: close() woke us.
                return;
            } catch (IOException e) {
                if (isBrokenPipe(e)) {
                    continue; // EPIPE: records were overwritten; the next read returns the oldest left.
                }
                failure = e;
                return;
            }
            if (n < 0) {
                return;
            }
            buf.flip();
            buf.get(bytes, 0, n);
            KmsgParser.parse(new String(bytes, 0, n, StandardCharsets.UTF_8)).entries().forEach(queue::add);
        }
    }

    private static boolean isBrokenPipe(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }
}
