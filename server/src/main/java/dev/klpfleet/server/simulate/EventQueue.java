package dev.klpfleet.server.simulate;

/**
 * The simulator's pending events as one primitive min-heap of longs: virtual time (ms) in the
 * high bits, then the event's kind, then the host, so a million queued events cost 8 MB and no
 * objects, and events at the same instant come out in a fixed order (by kind, then host).
 */
final class EventQueue {
    static final int HOST_BITS = 24;
    static final int KIND_BITS = 3;
    static final long MAX_TIME = (1L << (63 - HOST_BITS - KIND_BITS)) - 1;

    private long[] heap = new long[1024];
    private int size;

    void add(long timeMs, int kind, int host) {
        if (timeMs < 0 || timeMs > MAX_TIME) {
            throw new IllegalArgumentException("event time out of range: " + timeMs);
        }
        long key = (timeMs << (HOST_BITS + KIND_BITS)) | ((long) kind << HOST_BITS) | host;
        if (size == heap.length) {
            heap = java.util.Arrays.copyOf(heap, size * 2);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] <= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** The earliest event's time; only when not empty. */
    long peekTime() {
        return heap[0] >>> (HOST_BITS + KIND_BITS);
    }

    /** Removes the earliest event and returns its key; read it with {@link #time}, {@link #kind}, {@link #host}. */
    long poll() {
        long top = heap[0];
        long last = heap[--size];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                break;
            }
            if (child + 1 < size && heap[child + 1] < heap[child]) {
                child++;
            }
            if (heap[child] >= last) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        if (size > 0) {
            heap[i] = last;
        }
        return top;
    }

    static long time(long key) {
        return key >>> (HOST_BITS + KIND_BITS);
    }

    static int kind(long key) {
        return (int) ((key >>> HOST_BITS) & ((1 << KIND_BITS) - 1));
    }

    static int host(long key) {
        return (int) (key & ((1 << HOST_BITS) - 1));
    }
}
