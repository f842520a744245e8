package dev.klpfleet.kernel.time;

import java.time.Duration;

/**
 * The time source for deadlines and timeouts: it only moves forward at a steady rate, so an NTP
 * step or an operator setting the date cannot make a wait end early or never. Wall-clock
 * {@code InstantSource}s are only for instants that are reported.
 */
@FunctionalInterface
public interface MonotonicClock {
    /** {@link System#nanoTime()}: CLOCK_MONOTONIC on Linux. */
    MonotonicClock SYSTEM = System::nanoTime;

    /** Nanoseconds from an arbitrary origin; only differences mean anything. */
    long nanoTime();

    /** How long since {@code startNanos}, a reading of this clock. */
    default Duration since(long startNanos) {
        return Duration.ofNanos(nanoTime() - startNanos);
    }

    /** Whether {@code deadlineNanos} (a reading of this clock plus a timeout) has been reached; safe across overflow. */
    default boolean reached(long deadlineNanos) {
        return nanoTime() - deadlineNanos >= 0;
    }
}
