package dev.klpfleet.kernel.impact;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Host signals that show apply-time impact, read at one instant. Each part is empty when the
 * kernel does not provide it (no PSI, no schedstat, no such process): absent, never an error.
 *
 * @param at when the sample was taken, from the sampler's InstantSource
 * @param ksoftirqd run delay per ksoftirqd thread, by CPU
 * @param tcp TCP counters
 * @param cpuPressure {@code /proc/pressure/cpu}
 * @param ioPressure {@code /proc/pressure/io}
 * @param process CPU time of the watched process (e.g. insmod), when one was given
 */
public record ImpactSample(
        Instant at,
        List<KsoftirqdDelay> ksoftirqd,
        Optional<TcpCounters> tcp,
        Optional<Pressure> cpuPressure,
        Optional<Pressure> ioPressure,
        Optional<ProcessCpu> process) {

    public ImpactSample {
        ksoftirqd = List.copyOf(ksoftirqd);
    }
}
