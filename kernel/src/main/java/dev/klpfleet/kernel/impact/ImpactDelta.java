package dev.klpfleet.kernel.impact;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * What changed between two samples. A value is empty when either sample lacks it.
 *
 * @param elapsed time between the samples
 * @param ksoftirqdMaxDelayNanos largest run-delay increase of any single ksoftirqd thread (the
 *     starved CPU); 0 when no thread is in both samples
 * @param ksoftirqdTotalDelayNanos sum of run-delay increases over all ksoftirqd threads
 * @param retransSegs TCP segments retransmitted in between
 * @param cpuSomeMicros increase of {@code /proc/pressure/cpu} some total
 * @param ioSomeMicros increase of {@code /proc/pressure/io} some total
 * @param ioFullMicros increase of {@code /proc/pressure/io} full total
 * @param processCpuMillis CPU time the watched process used in between; empty unless both samples
 *     read the same pid
 */
public record ImpactDelta(
        Duration elapsed,
        long ksoftirqdMaxDelayNanos,
        long ksoftirqdTotalDelayNanos,
        OptionalLong retransSegs,
        OptionalLong cpuSomeMicros,
        OptionalLong ioSomeMicros,
        OptionalLong ioFullMicros,
        OptionalLong processCpuMillis) {

    public static ImpactDelta between(ImpactSample before, ImpactSample after) {
        // Match threads by pid: a CPU hot-plugged in between gets a new ksoftirqd and is left out.
        Map<Integer, KsoftirqdDelay> earlier = before.ksoftirqd().stream()
                .collect(Collectors.toMap(KsoftirqdDelay::pid, Function.identity(), (a, b) -> a));
        long max = 0;
        long total = 0;
        for (KsoftirqdDelay now : after.ksoftirqd()) {
            KsoftirqdDelay then = earlier.get(now.pid());
            if (then != null && then.cpu() == now.cpu()) {
                long d = Math.max(0, now.runDelayNanos() - then.runDelayNanos());
                max = Math.max(max, d);
                total += d;
            }
        }
        OptionalLong cpuTime = OptionalLong.empty();
        if (before.process().isPresent() && after.process().isPresent()
                && before.process().get().pid() == after.process().get().pid()) {
            cpuTime = OptionalLong.of(after.process().get().cpuMillis() - before.process().get().cpuMillis());
        }
        return new ImpactDelta(
                Duration.between(before.at(), after.at()),
                max,
                total,
                diff(before.tcp().flatMap(t -> boxed(t.retransSegs())), after.tcp().flatMap(t -> boxed(t.retransSegs()))),
                diff(before.cpuPressure().map(p -> p.some().totalMicros()), after.cpuPressure().map(p -> p.some().totalMicros())),
                diff(before.ioPressure().map(p -> p.some().totalMicros()), after.ioPressure().map(p -> p.some().totalMicros())),
                diff(before.ioPressure().flatMap(Pressure::full).map(PressureLine::totalMicros),
                        after.ioPressure().flatMap(Pressure::full).map(PressureLine::totalMicros)),
                cpuTime);
    }

    private static Optional<Long> boxed(OptionalLong v) {
        return v.isPresent() ? Optional.of(v.getAsLong()) : Optional.empty();
    }

    private static OptionalLong diff(Optional<Long> before, Optional<Long> after) {
        return before.isPresent() && after.isPresent() ? OptionalLong.of(after.get() - before.get()) : OptionalLong.empty();
    }
}
