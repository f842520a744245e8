package dev.klpfleet.testbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Release resolution through Debian's metapackages. The tests that resolve an installed release need
 * the kernels of install-deps (no guest) and are tagged {@code vm}; the refusals run anywhere.
 */
class KernelsTest {

    @Tag("vm")
    @ParameterizedTest
    @EnumSource(KernelLine.class)
    void aLineResolvesToAnInstalledReleaseOfThatLine(KernelLine line) {
        String release = line.release();

        assertThat(release).startsWith(line.line() + ".").endsWith("-amd64");
        assertThat(Path.of("/boot/vmlinuz-" + release)).isRegularFile();
        assertThat(Files.isDirectory(Path.of("/lib/modules", release))).isTrue();
    }

    @Tag("vm")
    @Test
    void anInstalledFullReleaseResolvesToItself() {
        String release = KernelLine.V6_1.release();

        assertThat(Kernels.release(release)).isEqualTo(release);
    }

    @Test
    void aReleaseThatIsNotInstalledIsRefusedWithTheReason() {
        assertThatThrownBy(() -> Kernels.release("4.19.0-99-amd64"))
                .isInstanceOf(TestbenchException.class)
                .hasMessageContaining("4.19.0-99-amd64 is not installed");
    }

    @Test
    void somethingThatIsNeitherLineNorReleaseIsRefused() {
        assertThatThrownBy(() -> Kernels.release("latest"))
                .isInstanceOf(TestbenchException.class)
                .hasMessageContaining("neither a line");
    }
}
