package dev.klpfleet.cli.agent;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** What the agent enrolls with besides the kernel: the host's name and distribution. */
final class HostFacts {
    private HostFacts() {}

    /**
     * {@code /proc/sys/kernel/hostname} (the UTS name, as uname -n shows it); "localhost" when unreadable or never set.
     * A kernel whose init never set a name reports CONFIG_DEFAULT_HOSTNAME, "(none)" on Debian's kernels (a minimal
     * initramfs does that), which is no DNS name and would be refused at enrollment.
     */
    static String hostname(KernelRoot root) {
        return root.read("/proc/sys/kernel/hostname").map(String::strip).filter(s -> !s.isEmpty() && !s.equals("(none)"))
                .orElse("localhost");
    }

    /** {@code PRETTY_NAME} from /etc/os-release (os-release(5)); "unknown" when absent. */
    static String distro() {
        try {
            return Files.readAllLines(Path.of("/etc/os-release")).stream()
                    .filter(l -> l.startsWith("PRETTY_NAME="))
                    .map(l -> l.substring("PRETTY_NAME=".length()).replace("\"", ""))
                    .findFirst().orElse("unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
