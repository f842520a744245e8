package dev.klpfleet.agent.reconcile;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What one pass saw of the running kernel, read before anything is written.
 *
 * @param kernelRelease {@code /proc/sys/kernel/osrelease}
 * @param patches       every patch under {@code /sys/kernel/livepatch}, in name order
 * @param modules       of the module names the pass asked about, those with a {@code /sys/module/NAME}
 *                      directory (a patch module stays there after its patch is disabled, until rmmod)
 * @param taint         {@code /proc/sys/kernel/tainted}, empty when unreadable (unknown: never taken for 0)
 * @param bootId        {@code /proc/sys/kernel/random/boot_id} (a random UUID per boot, since 2.6), empty when unreadable
 */
public record Observation(String kernelRelease, List<ObservedPatch> patches, Set<String> modules, Optional<Long> taint,
                          Optional<String> bootId) {
    public Observation {
        patches = List.copyOf(patches);
        modules = Set.copyOf(modules);
    }

    public Optional<ObservedPatch> patch(String name) {
        return patches.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    /** Whether anything of {@code name} is still in the kernel: its patch directory or its module. */
    public boolean present(String name) {
        return patch(name).isPresent() || modules.contains(name);
    }

    /** The first patch whose transition is still running, if any: the kernel runs one transition at a time. */
    public Optional<ObservedPatch> inTransition() {
        return patches.stream().filter(ObservedPatch::transition).findFirst();
    }
}
