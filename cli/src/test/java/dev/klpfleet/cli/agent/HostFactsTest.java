package dev.klpfleet.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostFactsTest {
    @TempDir
    Path root;

    private String hostnameReading(String uts) throws Exception {
        Path f = root.resolve("proc/sys/kernel/hostname");
        Files.createDirectories(f.getParent());
        Files.writeString(f, uts);
        return HostFacts.hostname(new KernelRoot(root));
    }

    @Test
    void a_host_enrolls_with_its_uts_name() throws Exception {
        assertThat(hostnameReading("web-17.example.net\n")).isEqualTo("web-17.example.net");
    }

    @Test
    void a_kernel_whose_init_never_set_a_name_enrolls_as_localhost_not_as_the_kernels_placeholder() throws Exception {
        // A minimal initramfs (the test guests') leaves CONFIG_DEFAULT_HOSTNAME, which the server refuses as no DNS name.
        assertThat(hostnameReading("(none)\n")).isEqualTo("localhost");
    }

    @Test
    void an_unreadable_name_is_localhost() {
        assertThat(HostFacts.hostname(new KernelRoot(root))).isEqualTo("localhost");
    }
}
