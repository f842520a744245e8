package dev.klpfleet.testbench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Proves the bench and the test modules on real kernels: one guest per kernel line runs
 * {@code smoke.sh}, which records what it saw under the share; each test asserts on one part.
 */
@Tag("vm")
class VmSmokeTest {
    @TempDir
    static Path work;

    /** One boot per kernel line, shared by the tests below. */
    private static final Map<KernelLine, Path> SEEN = new ConcurrentHashMap<>();

    @ParameterizedTest
    @EnumSource(KernelLine.class)
    void guestRunsTheRequestedKernel(KernelLine line) {
        assertThat(seen(line, "uname")).isEqualTo(line.release());
    }

    @ParameterizedTest
    @EnumSource(KernelLine.class)
    void klpfCmdlinePatchesProcCmdlineUntilDisabledAndRemoved(KernelLine line) {
        assertThat(seen(line, "cmdline.insmod")).isEqualTo("0");
        assertThat(seen(line, "cmdline.settled")).as("transition finished within 30 s").isEqualTo("0");
        assertThat(seen(line, "cmdline.transition")).isEqualTo("0");
        assertThat(seen(line, "cmdline.enabled")).isEqualTo("1");
        assertThat(seen(line, "cmdline.proc")).isEqualTo("klpfleet: patched cmdline v1");

        assertThat(seen(line, "cmdline.disable")).isEqualTo("0");
        assertThat(seen(line, "cmdline.disable.settled")).isEqualTo("0");
        assertThat(seen(line, "cmdline.rmmod")).isEqualTo("0");
        assertThat(seen(line, "cmdline.proc.after")).startsWith("console=ttyS0").doesNotContain("klpfleet");
        assertThat(seen(line, "dmesg"))
                .contains("livepatch: 'klpf_cmdline': patching complete")
                .contains("livepatch: 'klpf_cmdline': unpatching complete");
    }

    @ParameterizedTest
    @EnumSource(KernelLine.class)
    void klpfTargetPatchStallsWhileTheSleeperSleepsInTheOldFunctionUntilReversed(KernelLine line) {
        assertThat(seen(line, "target.insmod")).isEqualTo("0");
        assertThat(seen(line, "target.proc")).isEqualTo("target v0");
        assertThat(seen(line, "target.sleeper.pid")).matches("[0-9]+");
        assertThat(seen(line, "target_patch.insmod")).isEqualTo("0");

        assertThat(seen(line, "target_patch.transition")).as("transition still running").isEqualTo("1");
        assertThat(seen(line, "target.sleeper.patch_state")).as("klpf_sleeper not yet switched").isEqualTo("0");
        assertThat(seen(line, "target.sleeper.stack")).contains("klpf_target_wait");

        assertThat(seen(line, "target_patch.disable")).isEqualTo("0");
        assertThat(seen(line, "target_patch.disable.settled")).as("reversal finished within 30 s").isEqualTo("0");
        assertThat(seen(line, "target_patch.rmmod")).isEqualTo("0");
        assertThat(seen(line, "target.rmmod")).as("kthread_stop wakes klpf_sleeper").isEqualTo("0");
        assertThat(seen(line, "target.proc.after")).isEqualTo("absent");
        assertThat(seen(line, "dmesg"))
                .contains("livepatch: 'klpf_target_patch': starting patching transition")
                .contains("livepatch: 'klpf_target_patch': starting unpatching transition")
                .doesNotContain("livepatch: 'klpf_target_patch': patching complete");
    }

    private static String seen(KernelLine line, String observation) {
        Path file = SEEN.computeIfAbsent(line, VmSmokeTest::bootOnce).resolve(observation);
        assertThat(file).as("guest recorded " + observation).isRegularFile();
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path bootOnce(KernelLine line) {
        Path share = work.resolve(line.line());
        TestModules.forLine(line).copyAllTo(share.resolve("ko"));
        Vm.boot(line).share(share).run(script()).requireSuccess();
        return share.resolve("seen");
    }

    private static String script() {
        try (InputStream in = VmSmokeTest.class.getResourceAsStream("smoke.sh")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
