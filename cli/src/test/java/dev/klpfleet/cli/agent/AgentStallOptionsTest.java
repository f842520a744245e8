package dev.klpfleet.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.cli.Main;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.OnStall;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The agent takes --stall-timeout and --on-stall as kernel load does, and hands them to every load and unload. */
class AgentStallOptionsTest {
    static final String[] REQUIRED = {"agent", "--server", "http://127.0.0.1:9", "--data", "/nonexistent", "--public-key", "/nonexistent"};

    static AgentCommand parsed(String... more) {
        CommandLine cl = Main.commandLine();
        String[] args = new String[REQUIRED.length + more.length];
        System.arraycopy(REQUIRED, 0, args, 0, REQUIRED.length);
        System.arraycopy(more, 0, args, REQUIRED.length, more.length);
        CommandLine.ParseResult r = cl.parseArgs(args);
        return (AgentCommand) r.subcommand().commandSpec().userObject();
    }

    @Test
    void without_the_options_the_agent_loads_with_the_kernel_rooms_defaults() {
        assertThat(parsed().stall.loadOptions(false)).isEqualTo(LoadOptions.defaults());
    }

    @Test
    void a_short_stall_timeout_and_on_stall_wait_reach_the_load_options() {
        assertThat(parsed("--stall-timeout", "2s", "--on-stall", "wait").stall.loadOptions(false))
                .isEqualTo(new LoadOptions(Duration.ofSeconds(2), OnStall.WAIT, false));
    }

    @Test
    void an_unknown_on_stall_value_is_a_usage_error_of_one_line() {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err));
        cl.setOut(new PrintWriter(new StringWriter()));
        String[] args = java.util.stream.Stream.concat(java.util.Arrays.stream(REQUIRED), java.util.stream.Stream.of("--on-stall", "sideways"))
                .toArray(String[]::new);

        int code = cl.execute(args);

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("--on-stall").contains("sideways");
    }
}
