package dev.klpfleet.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A kernel root in a temp directory shaped like a host's /proc and /sys, for agent passes that never insmod. */
final class TempKernel {
    final Path root;

    TempKernel(Path root) throws IOException {
        this.root = root;
        write("/proc/sys/kernel/osrelease", "6.12.117+deb12-amd64");
        write("/proc/sys/kernel/tainted", "0");
        write("/proc/sys/kernel/random/boot_id", "11111111-1111-4111-8111-111111111111");
        Files.createDirectories(path("/sys/kernel/livepatch"));
    }

    TempKernel taint(long mask) throws IOException {
        write("/proc/sys/kernel/tainted", Long.toString(mask));
        return this;
    }

    /** Makes the taint file exist but fail every read (a directory reads as EISDIR), as a broken procfs would. */
    TempKernel taintUnreadable() throws IOException {
        Files.delete(path("/proc/sys/kernel/tainted"));
        Files.createDirectories(path("/proc/sys/kernel/tainted"));
        return this;
    }

    /** A reboot: a new boot id and a fresh taint mask. */
    TempKernel reboot(String bootId, long taint) throws IOException {
        write("/proc/sys/kernel/random/boot_id", bootId);
        return taint(taint);
    }

    Path path(String absolute) {
        return root.resolve(absolute.substring(1));
    }

    private void write(String absolute, String value) throws IOException {
        Files.createDirectories(path(absolute).getParent());
        Files.writeString(path(absolute), value + "\n");
    }
}
