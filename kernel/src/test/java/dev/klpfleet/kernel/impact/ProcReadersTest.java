package dev.klpfleet.kernel.impact;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ProcReadersTest {

    @Test
    void a_command_name_with_spaces_and_parentheses_does_not_shift_the_stat_fields() {
        String stat = "99 (my (evil) prog) S 1 99 99 0 -1 4194560 10 0 0 0 250 50 0 0 20 0 1 0 100 0 0 0";

        assertThat(ProcReaders.processCpu(99, stat)).hasValueSatisfying(c -> {
            assertThat(c.userTicks()).isEqualTo(250);
            assertThat(c.systemTicks()).isEqualTo(50);
            assertThat(c.cpuMillis()).isEqualTo(3000);
        });
    }

    @Test
    void truncated_or_garbled_inputs_are_absent() {
        assertThat(ProcReaders.processCpu(1, "1 (x) S 1 2")).isEmpty();
        assertThat(ProcReaders.processCpu(1, "no parentheses")).isEmpty();
        assertThat(ProcReaders.runDelay("123")).isEmpty();
        assertThat(ProcReaders.runDelay("1 two 3")).isEmpty();
        assertThat(ProcReaders.tcp("Tcp: A B\nTcp: 1\n")).isEmpty();
        assertThat(ProcReaders.tcp("Ip: A\nIp: 1\n")).isEmpty();
        assertThat(ProcReaders.pressure("garbage\n")).isEmpty();
    }

    @Test
    void cpu_pressure_before_5_13_has_no_full_line() {
        assertThat(ProcReaders.pressure("some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n"))
                .hasValueSatisfying(p -> assertThat(p.full()).isEmpty());
    }
}
