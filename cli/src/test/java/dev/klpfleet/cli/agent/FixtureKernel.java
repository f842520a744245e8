package dev.klpfleet.cli.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A kernel root in a temp directory shaped like a 6.12 host's /proc and /sys, for the agent paths
 * that never insmod: observing, adopting a patch already applied, refusing, unloading a patch whose
 * module directory is absent (so no rmmod runs).
 */
final class FixtureKernel {
    final Path root;

    FixtureKernel(String release) throws IOException {
        root = Files.createTempDirectory("klpfleet-agent-kernel");
        write("/proc/sys/kernel/osrelease", release);
        write("/proc/sys/kernel/hostname", "fixture-host");
        write("/proc/sys/kernel/tainted", "0");
        Files.createDirectories(path("/sys/kernel/livepatch"));
    }

    /** Shows {@code patch} in /sys/kernel/livepatch, enabled and settled, replacing {@code funcs} ("object/func,sympos"). */
    FixtureKernel applied(String patch, String... funcs) throws IOException {
        write("/sys/kernel/livepatch/" + patch + "/enabled", "1");
        write("/sys/kernel/livepatch/" + patch + "/transition", "0");
        for (String f : funcs) {
            Files.createDirectories(path("/sys/kernel/livepatch/" + patch + "/" + f));
        }
        return this;
    }

    /** The boot id /proc/sys/kernel/random/boot_id reads: a new one is a reboot, as the crash-loop guard sees it. */
    FixtureKernel boot(String bootId) throws IOException {
        write("/proc/sys/kernel/random/boot_id", bootId);
        return this;
    }

    FixtureKernel taint(long mask) throws IOException {
        write("/proc/sys/kernel/tainted", Long.toString(mask));
        return this;
    }

    /** The taint file exists but every read fails (a directory reads as EISDIR), as a broken procfs would. */
    FixtureKernel taintUnreadable() throws IOException {
        Files.delete(path("/proc/sys/kernel/tainted"));
        Files.createDirectories(path("/proc/sys/kernel/tainted"));
        return this;
    }

    String read(String absolute) throws IOException {
        return Files.readString(path(absolute)).strip();
    }

    Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    private void write(String absolute, String value) throws IOException {
        Files.createDirectories(path(absolute).getParent());
        Files.writeString(path(absolute), value + "\n");
    }
}
