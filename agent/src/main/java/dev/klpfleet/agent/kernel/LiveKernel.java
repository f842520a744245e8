package dev.klpfleet.agent.kernel;

import dev.klpfleet.agent.reconcile.Observation;
import dev.klpfleet.agent.reconcile.ObservedPatch;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.PatchLoader;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.kernel.taint.Taints;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The kernel under {@code root} ({@code /} on a host), driven through the kernel room's
 * {@link PatchLoader}: preflight, insmod, transition watch, stall reversal, all as
 * {@code klpfleet kernel load} does them.
 */
public final class LiveKernel implements HostKernel {
    /** A random UUID the kernel draws at each boot (drivers/char/random.c, since 2.6): tells one boot from the next. */
    public static final String BOOT_ID = "/proc/sys/kernel/random/boot_id";

    private final KernelRoot root;
    private final LivepatchSysfs sysfs;
    private final PatchLoader loader;
    private final LoadOptions options;

    public LiveKernel(KernelRoot root, PatchLoader loader, LoadOptions options) {
        this.root = root;
        this.sysfs = new LivepatchSysfs(root);
        this.loader = loader;
        this.options = options;
    }

    /** The kernel at {@code root} with the real insmod/rmmod and kernel log, waits really sleeping. */
    public static LiveKernel at(KernelRoot root, InstantSource clock, LoadOptions options) {
        return at(root, clock, java.util.random.RandomGenerator.getDefault(), options);
    }

    /** As {@link #at(KernelRoot, InstantSource, LoadOptions)}, rmmod retries jittered by {@code random}. */
    public static LiveKernel at(KernelRoot root, InstantSource clock, java.util.random.RandomGenerator random, LoadOptions options) {
        return new LiveKernel(root, PatchLoader.of(root, clock, random), options);
    }

    @Override
    public Observation observe(Set<String> modules) {
        String release = root.read("/proc/sys/kernel/osrelease").map(String::strip).orElse("unknown");
        var patches = sysfs.patches().stream().map(p -> new ObservedPatch(p.name(), p.enabled(), p.transition())).toList();
        // /sys/module/NAME exists from the module's load until rmmod completes (all kernels).
        Set<String> present = modules.stream().filter(m -> root.exists("/sys/module/" + m)).collect(Collectors.toSet());
        Optional<Long> taint;
        try {
            taint = Taints.read(root).map(Taint::value);
        } catch (IllegalStateException e) {
            taint = Optional.empty(); // unreadable: unknown, reported as absent, never as 0
        }
        Optional<String> bootId;
        try {
            bootId = root.read(BOOT_ID).map(String::strip).filter(s -> !s.isEmpty());
        } catch (java.io.UncheckedIOException e) {
            bootId = Optional.empty();
        }
        return new Observation(release, patches, present, taint, bootId);
    }

    @Override
    public boolean livepatchSupported() {
        return sysfs.supported();
    }

    @Override
    public LoadResult load(Path ko, ModuleInspection module) throws InterruptedException {
        return loader.load(ko, module, options);
    }

    @Override
    public LoadResult unload(String patch) throws InterruptedException {
        return loader.unload(patch, options);
    }

    @Override
    public java.util.List<dev.klpfleet.kernel.transition.BlockerRecheck.Seen> recheck(java.util.List<dev.klpfleet.kernel.transition.Blocker> last) {
        return new dev.klpfleet.kernel.transition.BlockerRecheck(new dev.klpfleet.kernel.task.Tasks(root)).recheck(last);
    }
}
