package dev.klpfleet.server.storage;

import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;

/**
 * The one place that retries transactions the database aborted for concurrency, with
 * exponential backoff and full jitter. Retried: SQLSTATE 40001 (serialization failure;
 * what CockroachDB and YugabyteDB return for any write conflict), 40P01 (PostgreSQL
 * deadlock) and SQLite's BUSY/LOCKED (error codes 5 and 6).
 */
public final class Retry {
    /** Attempts before the last failure is rethrown. */
    public static final int MAX_ATTEMPTS = 8;
    /** Upper bound of the first backoff; doubles per attempt. */
    public static final Duration FIRST_BACKOFF = Duration.ofMillis(5);
    /** No single backoff waits longer than this. */
    public static final Duration MAX_BACKOFF = Duration.ofMillis(500);

    private Retry() {}

    /** Runs {@code work}, rerunning it after a jittered wait while it fails with a retryable error. */
    public static <T> T onConflict(Supplier<T> work) {
        RuntimeException last = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            try {
                return work.get();
            } catch (RuntimeException e) {
                if (!isRetryable(e)) {
                    throw e;
                }
                last = e;
                long cap = Math.min(MAX_BACKOFF.toMillis(), FIRST_BACKOFF.toMillis() << attempt);
                sleep(ThreadLocalRandom.current().nextLong(cap + 1));
            }
        }
        throw last;
    }

    /** True when {@code t} or a cause is a concurrency abort the database asks clients to retry. */
    public static boolean isRetryable(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql) {
                String state = sql.getSQLState();
                if ("40001".equals(state) || "40P01".equals(state)) {
                    return true;
                }
                // sqlite-jdbc reports SQLITE_BUSY (5) and SQLITE_LOCKED (6) as vendor codes.
                if (sql.getClass().getName().startsWith("org.sqlite") && (sql.getErrorCode() == 5 || sql.getErrorCode() == 6)) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while backing off a database retry", e);
        }
    }
}
