package dev.klpfleet.kernel;

import java.time.Duration;

/** How the room waits between polls; injected with the clock so tests can run waits without sleeping. */
@FunctionalInterface
public interface Pause {
    /** Really sleeps. */
    Pause REAL = d -> Thread.sleep(d.toMillis(), (int) (d.toNanosPart() % 1_000_000));

    void sleep(Duration duration) throws InterruptedException;
}
