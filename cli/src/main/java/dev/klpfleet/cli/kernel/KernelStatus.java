package dev.klpfleet.cli.kernel;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.modules.LoadedModule;
import dev.klpfleet.kernel.modules.Modules;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.kernel.taint.Taints;
import java.util.List;

/**
 * The JSON document of {@code klpfleet kernel status}.
 *
 * @param kernelRelease       {@code /proc/sys/kernel/osrelease}
 * @param livepatchSupported  whether {@code /sys/kernel/livepatch} exists
 * @param taint               the decoded taint mask; null if unreadable
 * @param patches             every loaded patch
 * @param inertModules        livepatch modules still loaded whose patch is gone from sysfs (replaced
 *                            by an atomic replace, or disabled): they can never be enabled again and
 *                            only wait for rmmod
 */
record KernelStatus(String kernelRelease, boolean livepatchSupported, TaintView taint, List<KlpPatch> patches,
                    List<String> inertModules) {

    record TaintView(long value, List<FlagView> flags) {
        static TaintView of(Taint t) {
            return new TaintView(t.value(), t.flags().stream()
                    .map(f -> new FlagView(String.valueOf(f.letter()), f.name(), f.meaning(), f.gate().name().toLowerCase(java.util.Locale.ROOT)))
                    .toList());
        }
    }

    record FlagView(String letter, String name, String meaning, String gate) {}

    static KernelStatus read(KernelRoot root) {
        LivepatchSysfs sysfs = new LivepatchSysfs(root);
        List<KlpPatch> patches = sysfs.patches();
        List<String> inert = Modules.read(root).livepatches().stream().map(LoadedModule::name)
                .filter(m -> patches.stream().noneMatch(p -> p.name().equals(m))).sorted().toList();
        return new KernelStatus(
                root.read("/proc/sys/kernel/osrelease").map(String::strip).orElse("unknown"),
                sysfs.supported(),
                taint(root),
                patches,
                inert);
    }

    /** The taint, or null when it is absent or unreadable (docs/CLI.md: "taint is null when unreadable"). */
    private static TaintView taint(KernelRoot root) {
        try {
            return Taints.read(root).map(TaintView::of).orElse(null);
        } catch (IllegalStateException e) {
            return null;
        }
    }

    static String letters(TaintView t) {
        return t.flags().stream().map(FlagView::letter).reduce("", String::concat);
    }
}
