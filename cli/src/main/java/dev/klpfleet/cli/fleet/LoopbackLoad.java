package dev.klpfleet.cli.fleet;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntFunction;

/**
 * A minimal HTTP/1.1 keep-alive load generator for loopback benchmarks: each connection sends
 * prebuilt requests one after another and reads each response by its Content-Length, so the
 * generator costs far less CPU than a general-purpose client and the server is what is measured.
 */
final class LoopbackLoad {
    /** What one run measured. */
    record Result(long requests, double perSecond, double p50Ms, double p99Ms, long non2xx) {}

    private LoopbackLoad() {}

    /**
     * Runs {@code connections} connections for {@code seconds}; connection {@code c} sends request
     * {@code requests.apply(c * 1_000_000 + i)} as its i-th request.
     */
    static Result run(String host, int port, int connections, double seconds, IntFunction<byte[]> requests) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[][] latencyUs = new long[connections][];
        int[] counts = new int[connections];
        long[] bad = new long[connections];
        Thread[] threads = new Thread[connections];
        Exception[] failure = new Exception[1];
        for (int c = 0; c < connections; c++) {
            int conn = c;
            threads[c] = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                try (Socket s = new Socket(host, port)) {
                    s.setTcpNoDelay(true);
                    OutputStream out = s.getOutputStream();
                    ResponseReader in = new ResponseReader(s.getInputStream());
                    while (!stop.get()) {
                        byte[] req = requests.apply(conn * 1_000_000 + n);
                        long t0 = System.nanoTime();
                        out.write(req);
                        out.flush();
                        int status = in.next();
                        long us = (System.nanoTime() - t0) / 1000;
                        if (status / 100 != 2 && status != 304) {
                            bad[conn]++;
                        }
                        if (n == lat.length) {
                            lat = Arrays.copyOf(lat, lat.length * 2);
                        }
                        lat[n++] = us;
                    }
                } catch (IOException e) {
                    synchronized (failure) {
                        failure[0] = e;
                    }
                }
                latencyUs[conn] = Arrays.copyOf(lat, n);
                counts[conn] = n;
            }, "load-" + c);
        }
        long start = System.nanoTime();
        for (Thread t : threads) {
            t.start();
        }
        Thread.sleep((long) (seconds * 1000));
        stop.set(true);
        for (Thread t : threads) {
            t.join();
        }
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (failure[0] != null) {
            throw failure[0];
        }
        long total = Arrays.stream(counts).asLongStream().sum();
        long[] all = new long[(int) total];
        int pos = 0;
        for (long[] l : latencyUs) {
            System.arraycopy(l, 0, all, pos, l.length);
            pos += l.length;
        }
        Arrays.sort(all);
        return new Result(total, total / elapsed, pct(all, 0.50), pct(all, 0.99), Arrays.stream(bad).sum());
    }

    private static double pct(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (sorted.length * p))] / 1000.0;
    }

    /**
     * Reads responses from one connection with its own unsynchronized buffer: the generator shares the
     * server's two cores, so every cycle it spends parsing is a cycle the server does not get.
     */
    static final class ResponseReader {
        private final InputStream in;
        private final byte[] buf = new byte[16384];
        private int pos;
        private int limit;

        ResponseReader(InputStream in) {
            this.in = in;
        }

        /** Reads one response; returns its status. The body is skipped by Content-Length. */
        int next() throws IOException {
            int status = -1;
            long length = 0;
            while (true) {
                int eol = lineEnd();
                int start = pos;
                int end = eol > start && buf[eol - 1] == '\r' ? eol - 1 : eol;
                pos = eol + 1;
                if (end == start) {
                    break;
                }
                if (status < 0) {
                    status = (buf[start + 9] - '0') * 100 + (buf[start + 10] - '0') * 10 + (buf[start + 11] - '0');
                } else if (end - start > 15 && (buf[start] | 0x20) == 'c' && regionIs(start, "content-length:")) {
                    length = 0;
                    for (int i = start + 15; i < end; i++) {
                        if (buf[i] >= '0' && buf[i] <= '9') {
                            length = length * 10 + (buf[i] - '0');
                        }
                    }
                }
            }
            while (length > 0) {
                if (pos == limit) {
                    fill();
                }
                int k = (int) Math.min(length, limit - pos);
                pos += k;
                length -= k;
            }
            return status;
        }

        private boolean regionIs(int start, String lower) {
            for (int i = 0; i < lower.length(); i++) {
                if ((buf[start + i] | 0x20) != lower.charAt(i) && buf[start + i] != lower.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** Index of the next '\n' at or after pos, reading more as needed. */
        private int lineEnd() throws IOException {
            int i = pos;
            while (true) {
                for (; i < limit; i++) {
                    if (buf[i] == '\n') {
                        return i;
                    }
                }
                int consumed = pos;
                compact();
                i -= consumed;
                fill();
            }
        }

        private void compact() {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }

        private void fill() throws IOException {
            if (pos == limit) {
                pos = 0;
                limit = 0;
            }
            if (limit == buf.length) {
                throw new IOException("response header line longer than " + buf.length + " bytes");
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                throw new IOException("server closed the connection");
            }
            limit += n;
        }
    }

    static byte[] request(String method, String path, String token, String etag, String body) {
        byte[] b = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n")
                + (etag == null ? "" : "If-None-Match: " + etag + "\r\n")
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + b.length + "\r\n") + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(h, h.length + b.length);
        System.arraycopy(b, 0, all, h.length, b.length);
        return all;
    }
}
