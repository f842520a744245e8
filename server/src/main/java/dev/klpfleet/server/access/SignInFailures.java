package dev.klpfleet.server.access;

import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Audits refused credentials without letting a guesser fill the log: the first failure from a
 * client address in a window is written at once, later ones in that window are counted and
 * written as one summary row when the window ends.
 */
public final class SignInFailures {
    /** The default window: at most one row per source per minute, plus its summary. */
    public static final Duration WINDOW = Duration.ofMinutes(1);
    /** Sources tracked at once; beyond it, failures are summed under one catch-all source. */
    static final int MAX_SOURCES = 10_000;
    static final String OTHER_SOURCES = "(other sources)";

    private final AuditLog audit;
    private final LongSupplier nanos;
    private final long windowNanos;
    private final Map<String, Window> windows = new LinkedHashMap<>();

    private static final class Window {
        final long startedNanos;
        long suppressed;
        String lastWhat;

        Window(long startedNanos) {
            this.startedNanos = startedNanos;
        }
    }

    /** {@code nanos} is a monotonic source such as {@code System::nanoTime}. */
    public SignInFailures(AuditLog audit, LongSupplier nanos, Duration window) {
        this.audit = audit;
        this.nanos = nanos;
        this.windowNanos = window.toNanos();
    }

    /** A presented credential was refused; {@code what} says which kind and for which request. */
    public void failed(String source, String what) {
        String src = source == null ? "" : source;
        boolean writeNow;
        String summary = null;
        synchronized (this) {
            long now = nanos.getAsLong();
            if (!windows.containsKey(src) && windows.size() >= MAX_SOURCES) {
                src = OTHER_SOURCES;
            }
            Window w = windows.get(src);
            if (w != null && now - w.startedNanos >= windowNanos) {
                summary = summary(w);
                windows.remove(src);
                w = null;
            }
            if (w == null) {
                windows.put(src, new Window(now));
                writeNow = true;
            } else {
                w.suppressed++;
                w.lastWhat = what;
                writeNow = false;
            }
        }
        if (summary != null) {
            write(src, summary);
        }
        if (writeNow) {
            write(src, "refused: " + what);
        }
    }

    /** Writes the summary of every ended window; the server calls it periodically. */
    public void flush() {
        Map<String, String> due = new LinkedHashMap<>();
        synchronized (this) {
            long now = nanos.getAsLong();
            for (Iterator<Map.Entry<String, Window>> it = windows.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Window> e = it.next();
                if (now - e.getValue().startedNanos >= windowNanos) {
                    String s = summary(e.getValue());
                    if (s != null) {
                        due.put(e.getKey(), s);
                    }
                    it.remove();
                }
            }
        }
        due.forEach(this::write);
    }

    private String summary(Window w) {
        return w.suppressed == 0 ? null
                : "refused " + w.suppressed + " more time(s) within " + Duration.ofNanos(windowNanos) + " of the first (last: " + w.lastWhat + ")";
    }

    private void write(String source, String outcome) {
        audit.record(new AuditLog.Actor("-", "-", source), "auth.fail", "credential", outcome);
    }
}
