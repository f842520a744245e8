package dev.klpfleet.kernel.insmod;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class KmodTest {

    @Test
    void the_childs_cpu_time_is_the_sum_of_the_second_times_line() {
        assertThat(Kmod.childCpu("0m0.004000s 0m0.008000s\n0m1.250000s 0m0.500000s\n"))
                .contains(Duration.ofMillis(1750));
        assertThat(Kmod.childCpu("0m0.00s 0m0.00s\n1m0.10s 0m0.00s")).contains(Duration.ofMillis(60_100));
    }

    @Test
    void output_without_a_children_line_has_no_cpu_time() {
        assertThat(Kmod.childCpu("0m0.00s 0m0.00s")).isEmpty();
        assertThat(Kmod.childCpu("")).isEmpty();
    }

    @Test
    void insmod_of_a_file_that_does_not_exist_fails_with_the_tools_own_reason() throws Exception {
        // The host kernel of this machine cannot load modules at all; a missing file fails before that.
        ToolRun run = new Kmod().insmod(java.nio.file.Path.of("/nonexistent/klpfleet-test.ko"));

        assertThat(run.succeeded()).isFalse();
        assertThat(run.output()).containsIgnoringCase("klpfleet-test.ko");
        assertThat(run.cpu()).isPresent();
    }
}
