package dev.klpfleet.server.api;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads one request body without holding a thread while it waits: each time content arrives Jetty
 * calls back, and a body that is not complete within its deadline, or grows past its limit, ends
 * in an error reply instead. Exactly one of the body or the error is delivered.
 */
final class BodyReader implements Runnable {
    private final Request request;
    private final int max;
    private final Duration deadline;
    private final Consumer<byte[]> onBody;
    private final Consumer<Reply> onError;
    private final AtomicBoolean settled = new AtomicBoolean();
    private byte[] buf;
    private int size;
    private Scheduler.Task timeout;

    private BodyReader(Request request, int max, Duration deadline, Consumer<byte[]> onBody, Consumer<Reply> onError) {
        this.request = request;
        this.max = max;
        this.deadline = deadline;
        this.onBody = onBody;
        this.onError = onError;
    }

    /** Starts reading {@code request}'s body of at most {@code max} bytes; calls back on a Jetty thread. */
    static void read(Request request, int max, Duration deadline, Consumer<byte[]> onBody, Consumer<Reply> onError) {
        long declared = request.getLength();
        if (declared > max) {
            onError.accept(Reply.error(413, "request body of " + declared + " bytes exceeds this endpoint's limit of " + max + " bytes"));
            return;
        }
        if (declared == 0) {
            onBody.accept(new byte[0]);
            return;
        }
        BodyReader r = new BodyReader(request, max, deadline, onBody, onError);
        r.buf = new byte[declared > 0 ? (int) declared : Math.min(max, 8192)];
        r.timeout = request.getComponents().getScheduler().schedule(r::expire, deadline);
        r.run();
    }

    private void expire() {
        fail(Reply.error(408, "request body did not arrive within " + deadline.toMillis() + " ms"));
    }

    @Override
    public void run() {
        while (!settled.get()) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                fail(Reply.error(400, "truncated or aborted request body: " + chunk.getFailure().getMessage()));
                return;
            }
            try {
                ByteBuffer b = chunk.getByteBuffer();
                int n = b.remaining();
                if ((long) size + n > max) {
                    fail(Reply.error(413, "request body exceeds this endpoint's limit of " + max + " bytes"));
                    return;
                }
                if (size + n > buf.length) {
                    buf = Arrays.copyOf(buf, (int) Math.min(max, Math.max((long) buf.length * 2, (long) size + n)));
                }
                b.get(buf, size, n);
                size += n;
            } finally {
                chunk.release();
            }
            if (chunk.isLast()) {
                long declared = request.getLength();
                if (declared > 0 && size < declared) {
                    fail(Reply.error(400, "truncated request body: got " + size + " of " + declared + " bytes"));
                } else if (settled.compareAndSet(false, true)) {
                    timeout.cancel();
                    onBody.accept(size == buf.length ? buf : Arrays.copyOf(buf, size));
                }
                return;
            }
        }
    }

    private void fail(Reply error) {
        if (settled.compareAndSet(false, true)) {
            if (timeout != null) {
                timeout.cancel();
            }
            onError.accept(error);
        }
    }
}
