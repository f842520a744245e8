package dev.klpfleet.kernel.preflight;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.module.KlpObjectInfo;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.tracing.FtraceEnabled;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Decides, before anything is written, whether loading a livepatch module on this kernel can work
 * and what it will disturb. Reads only; safe to run at any time.
 */
public final class Preflight {
    private final KernelRoot root;
    private final LivepatchSysfs sysfs;

    public Preflight(KernelRoot root) {
        this.root = root;
        this.sysfs = new LivepatchSysfs(root);
    }

    /** The running kernel's release, from {@code /proc/sys/kernel/osrelease}. */
    public String runningRelease() {
        return root.read("/proc/sys/kernel/osrelease").map(String::strip).orElse("unknown");
    }

    public PreflightReport check(ModuleInspection module) {
        List<KlpPatch> loaded = sysfs.patches();
        List<Check> checks = new ArrayList<>();
        checks.add(livepatchSupported());
        checks.add(livepatchModule(module));
        checks.add(vermagic(module));
        checks.add(noTransition(loaded));
        checks.add(notLoaded(module, loaded));
        checks.add(objectNames(module));
        checks.add(ftraceEnabled());
        checks.addAll(ExtraChecks.all(root, module, loaded, runningRelease()));
        checks.add(replace(module, loaded));
        return new PreflightReport(module.name(), runningRelease(), checks);
    }

    private Check livepatchSupported() {
        return sysfs.supported()
                ? Check.pass("livepatch-supported", "this kernel has " + LivepatchSysfs.DIR)
                : Check.fail("livepatch-supported", "this kernel has no " + LivepatchSysfs.DIR + " (built without CONFIG_LIVEPATCH)");
    }

    private static Check livepatchModule(ModuleInspection m) {
        return m.livepatch()
                ? Check.pass("livepatch-module", "modinfo has livepatch=Y")
                : Check.fail("livepatch-module", m.name() + " is not a livepatch module (no livepatch=Y in .modinfo)");
    }

    private Check vermagic(ModuleInspection m) {
        String running = runningRelease();
        if (m.kernelRelease().isEmpty()) {
            return Check.fail("vermagic", "module has no vermagic; the kernel would refuse it");
        }
        String built = m.kernelRelease().get();
        return built.equals(running)
                ? Check.pass("vermagic", "built for " + built + ", the running kernel")
                : Check.fail("vermagic", "built for " + built + " but the running kernel is " + running);
    }

    private static Check noTransition(List<KlpPatch> loaded) {
        List<String> busy = loaded.stream().filter(KlpPatch::transition).map(KlpPatch::name).toList();
        // klp_enable_patch() returns -EBUSY while any transition runs (kernel/livepatch/core.c).
        return busy.isEmpty()
                ? Check.pass("no-transition", "no patch is in transition")
                : Check.fail("no-transition", "patch " + String.join(", ", busy) + " is in transition; the kernel runs one at a time");
    }

    private Check notLoaded(ModuleInspection m, List<KlpPatch> loaded) {
        String name = m.name().replace('-', '_');
        boolean inSysfs = loaded.stream().anyMatch(p -> p.name().equals(name));
        boolean module = root.exists("/sys/module/" + name);
        if (inSysfs || module) {
            return Check.fail("not-loaded", "module " + name + " is already loaded" + (inSysfs ? " as a livepatch" : ""));
        }
        return Check.pass("not-loaded", "module " + name + " is not loaded");
    }

    private Check objectNames(ModuleInspection m) {
        List<String> notes = new ArrayList<>();
        for (KlpObjectInfo o : m.objects()) {
            if (KlpObjectInfo.VMLINUX.equals(o.name())) {
                continue;
            }
            // The kernel matches obj->name against mod->name with strcmp, and module names always
            // use '_' (scripts/Makefile.lib), so a '-' in an object name can never match: the patch
            // would load, look attached, and never patch that module.
            if (o.name().contains("-")) {
                return Check.fail("object-names", "object " + o.name() + " can never match a module: the kernel names it "
                        + o.name().replace('-', '_'));
            }
            notes.add(o.name() + (root.exists("/sys/module/" + o.name()) ? " loaded" : " not loaded (patched when it loads)"));
        }
        return Check.pass("object-names", notes.isEmpty() ? "vmlinux only" : String.join("; ", notes));
    }

    private Check ftraceEnabled() {
        return FtraceEnabled.read(root).map(on -> on
                        ? Check.pass("ftrace-enabled", "kernel.ftrace_enabled = 1")
                        // Livepatch's ftrace ops are FTRACE_OPS_FL_PERMANENT (5.5+): registering them with
                        // ftrace disabled fails with EBUSY, and before 5.5 the patch would silently not run.
                        : Check.fail("ftrace-enabled", "kernel.ftrace_enabled = 0; livepatch redirects functions through ftrace"))
                .orElse(Check.warn("ftrace-enabled", "cannot read /proc/sys/kernel/ftrace_enabled"));
    }

    private static Check replace(ModuleInspection m, List<KlpPatch> loaded) {
        String others = loaded.stream().map(KlpPatch::name)
                .filter(n -> !n.equals(m.name())).collect(Collectors.joining(", "));
        return switch (m.replace().value()) {
            case TRUE -> Check.pass("replace", others.isEmpty()
                    ? "atomic replace; no other patch loaded"
                    : "atomic replace: will replace " + others);
            case FALSE -> Check.pass("replace", others.isEmpty()
                    ? "no atomic replace; no other patch loaded"
                    : "no atomic replace: stacks on " + others);
            case UNKNOWN -> Check.pass("replace", "atomic replace unknown: " + m.replace().reason());
        };
    }
}
