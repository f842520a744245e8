package dev.klpfleet.kernel.impact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImpactSamplerTest {

    private static final Instant T0 = Instant.parse("2025-01-01T03:00:00Z");

    @Test
    void a_6_1_sample_reads_ksoftirqd_tcp_pressure_and_the_insmod_process() {
        ImpactSample s = new ImpactSampler(fixture("6.1"), InstantSource.fixed(T0)).sample(OptionalInt.of(731));

        assertThat(s.at()).isEqualTo(T0);
        assertThat(s.ksoftirqd()).containsExactly(
                new KsoftirqdDelay(0, 14, 382445771L), new KsoftirqdDelay(1, 22, 410273964L));
        assertThat(s.tcp().orElseThrow().retransSegs()).isEqualTo(OptionalLong.of(4));
        assertThat(s.tcp().orElseThrow().get("CurrEstab")).isEqualTo(OptionalLong.of(2));
        assertThat(s.tcp().orElseThrow().get("MaxConn")).isEqualTo(OptionalLong.of(-1));
        assertThat(s.cpuPressure().orElseThrow().some().totalMicros()).isEqualTo(1204311L);
        assertThat(s.cpuPressure().orElseThrow().some().avg60()).isEqualTo(0.12);
        assertThat(s.ioPressure().orElseThrow().full().orElseThrow().totalMicros()).isEqualTo(610222L);
        // utime 131 + stime 7 ticks at USER_HZ 100.
        assertThat(s.process().orElseThrow().cpuMillis()).isEqualTo(1380L);
    }

    @Test
    void the_hand_made_4_x_tree_without_psi_gives_absent_pressure_not_an_error() {
        // /proc/pressure (PSI) exists since 4.20; the hand-made 4.x tree has none, as a 4.18 kernel would not.
        ImpactSample s = new ImpactSampler(fixture("handmade-4.x"), InstantSource.fixed(T0)).sample();

        assertThat(s.cpuPressure()).isEmpty();
        assertThat(s.ioPressure()).isEmpty();
        assertThat(s.process()).isEmpty();
        assertThat(s.tcp().orElseThrow().retransSegs()).isEqualTo(OptionalLong.of(17));
    }

    @Test
    void a_ksoftirqd_that_exits_mid_scan_is_left_out() {
        ImpactSample s = new ImpactSampler(fixture("6.12"), InstantSource.fixed(T0)).sample();

        assertThat(s.ksoftirqd()).extracting(KsoftirqdDelay::cpu).containsExactly(0, 1);
    }

    @Test
    void an_empty_root_samples_to_all_absent(@TempDir Path dir) {
        ImpactSample s = new ImpactSampler(new KernelRoot(dir), InstantSource.fixed(T0)).sample(OptionalInt.of(42));

        assertThat(s.ksoftirqd()).isEmpty();
        assertThat(s.tcp()).isEmpty();
        assertThat(s.cpuPressure()).isEmpty();
        assertThat(s.process()).isEmpty();
    }

    @Test
    void the_host_has_a_ksoftirqd_per_cpu_and_tcp_counters() {
        ImpactSample s = new ImpactSampler(KernelRoot.host(), InstantSource.system()).sample(
                OptionalInt.of((int) ProcessHandle.current().pid()));

        assertThat(s.ksoftirqd()).isNotEmpty();
        assertThat(s.ksoftirqd()).extracting(KsoftirqdDelay::cpu).doesNotHaveDuplicates();
        assertThat(s.tcp().orElseThrow().retransSegs()).isPresent();
        // This JVM has certainly used CPU time by the time a test runs.
        assertThat(s.process().orElseThrow().cpuMillis()).isPositive();
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
