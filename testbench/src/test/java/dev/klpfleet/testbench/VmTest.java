package dev.klpfleet.testbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the bench promises about one guest run: output, exit status, shares, environment, timeouts. */
@Tag("vm")
class VmTest {
    /** Short enough that a guest sleeping for minutes is surely cut off. */
    private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(5);

    @Test
    void theGuestCommandsOutputExitStatusAndSharedFilesComeBackToTheHost(@TempDir Path share) throws IOException {
        Files.writeString(share.resolve("from-host"), "hello guest\n");

        VmRun run = Vm.boot(KernelLine.V6_1).share(share).share(share, "/tmp/second").run("""
                echo "out: $(cat /share/from-host)"
                echo "err: to stderr" >&2
                echo "java opts: $KLPFLEET_JAVA_OPTS"
                echo "uid: $(id -u) cwd: $(pwd)"
                touch /usr/should-fail 2>/dev/null && echo "root is writable" || echo "root is read-only"
                echo written-in-guest > /share/from-guest
                echo via-second > /tmp/second/from-second
                test -d /sys/kernel/tracing/events && test -d /sys/kernel/debug/tracing && echo "tracefs and debugfs"
                exit 7
                """);

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(7);
        assertThat(run.output())
                .contains("out: hello guest")
                .contains("err: to stderr")
                .contains("java opts: -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData")
                .contains("uid: 0 cwd: " + Path.of("").toAbsolutePath())
                .contains("root is read-only")
                .contains("tracefs and debugfs")
                .doesNotContain("\r");
        assertThat(run.consoleLog()).as("kernel console kept apart").doesNotContain("out: hello guest");
        assertThat(share.resolve("from-guest")).hasContent("written-in-guest");
        assertThat(share.resolve("from-second")).hasContent("via-second");
    }

    @Test
    void aGuestOutlivingItsTimeoutIsKilledAndReportedAsTimedOut() {
        VmRun run = Vm.boot(KernelLine.V6_12).timeout(SHORT_TIMEOUT).run("sleep 600");

        assertThat(run.timedOut()).as(run.describe()).isTrue();
        assertThat(run.benchOutput()).contains("timeout").contains("did not finish within 5s");
    }

    @Test
    void aGuestThatNeverReachesItsCommandIsBootedOnceMoreAndThenReportedAsTimedOut() {
        // No TCG boot reaches init's command within a second, so both boots miss the bound.
        VmRun run = Vm.boot(KernelLine.V6_1).bootTimeout(Duration.ofSeconds(1)).run("echo never");

        assertThat(run.timedOut()).as(run.describe()).isTrue();
        assertThat(run.output()).doesNotContain("never");
        assertThat(run.benchOutput())
                .contains("did not reach its command within 1s (a boot hang")
                .contains("booting it once more")
                .contains("did not reach its command within 1s, twice");
    }
}
