package dev.klpfleet.testbench;

import java.nio.file.Path;

/**
 * A host directory mounted read-write into the guest (virtio-9p, uncached, so the host sees
 * every byte once the guest command has ended). Files the guest creates are owned by root.
 *
 * @param hostDir an existing host directory
 * @param guestDir an absolute guest path without spaces; it must exist on the host or be new at
 *                 top level (like {@code /share}) or under {@code /tmp}, {@code /var} or {@code /run},
 *                 because the rest of the guest's root is the host's, read-only
 */
public record VmShare(Path hostDir, String guestDir) {
    public VmShare {
        hostDir = hostDir.toAbsolutePath().normalize();
        if (!guestDir.startsWith("/") || guestDir.contains(" ") || guestDir.contains(":")) {
            throw new IllegalArgumentException("guest directory must be absolute, without spaces or ':': " + guestDir);
        }
    }

    /** Returns the {@code vm-run --share} argument, {@code HOSTDIR:GUESTDIR}. */
    String argument() {
        return hostDir + ":" + guestDir;
    }
}
