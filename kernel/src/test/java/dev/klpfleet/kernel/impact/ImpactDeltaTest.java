package dev.klpfleet.kernel.impact;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ImpactDeltaTest {

    private static final Instant T0 = Instant.parse("2025-01-01T03:00:00Z");

    @Test
    void a_cpu_hogging_load_shows_as_one_starved_ksoftirqd_and_retransmits() {
        ImpactSample before = sample(T0, List.of(new KsoftirqdDelay(0, 14, 1_000), new KsoftirqdDelay(1, 22, 5_000)),
                10, 100, 200, 50, new ProcessCpu(731, 1, 0));
        ImpactSample after = sample(T0.plusMillis(1500),
                List.of(new KsoftirqdDelay(0, 14, 1_300_001_000L), new KsoftirqdDelay(1, 22, 7_000)),
                52, 900, 260, 80, new ProcessCpu(731, 120, 11));

        ImpactDelta d = ImpactDelta.between(before, after);

        assertThat(d.elapsed()).isEqualTo(Duration.ofMillis(1500));
        assertThat(d.ksoftirqdMaxDelayNanos()).isEqualTo(1_300_000_000L);
        assertThat(d.ksoftirqdTotalDelayNanos()).isEqualTo(1_300_002_000L);
        assertThat(d.retransSegs()).isEqualTo(OptionalLong.of(42));
        assertThat(d.cpuSomeMicros()).isEqualTo(OptionalLong.of(800));
        assertThat(d.ioSomeMicros()).isEqualTo(OptionalLong.of(60));
        assertThat(d.ioFullMicros()).isEqualTo(OptionalLong.of(30));
        assertThat(d.processCpuMillis()).isEqualTo(OptionalLong.of(1300));
    }

    @Test
    void a_thread_in_only_one_sample_and_missing_psi_are_left_out() {
        ImpactSample before = new ImpactSample(T0, List.of(new KsoftirqdDelay(0, 14, 1_000)),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.empty());
        ImpactSample after = new ImpactSample(T0, List.of(new KsoftirqdDelay(0, 14, 1_500), new KsoftirqdDelay(2, 99, 9_999_999)),
                Optional.empty(), Optional.empty(), Optional.empty(), Optional.of(new ProcessCpu(5, 1, 1)));

        ImpactDelta d = ImpactDelta.between(before, after);

        assertThat(d.ksoftirqdMaxDelayNanos()).isEqualTo(500);
        assertThat(d.retransSegs()).isEmpty();
        assertThat(d.cpuSomeMicros()).isEmpty();
        assertThat(d.processCpuMillis()).isEmpty();
    }

    private static ImpactSample sample(Instant at, List<KsoftirqdDelay> k, long retrans, long cpuSome, long ioSome,
            long ioFull, ProcessCpu cpu) {
        return new ImpactSample(at, k,
                Optional.of(new TcpCounters(Map.of("RetransSegs", retrans))),
                Optional.of(new Pressure(new PressureLine(0, 0, 0, cpuSome), Optional.empty())),
                Optional.of(new Pressure(new PressureLine(0, 0, 0, ioSome), Optional.of(new PressureLine(0, 0, 0, ioFull)))),
                Optional.of(cpu));
    }
}
