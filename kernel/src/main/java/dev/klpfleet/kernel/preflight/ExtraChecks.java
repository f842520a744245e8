package dev.klpfleet.kernel.preflight;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.module.KernelVersion;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.kernel.taint.TaintFlag;
import dev.klpfleet.kernel.taint.Taints;
import dev.klpfleet.kernel.tracing.FtraceUsage;
import dev.klpfleet.kernel.tracing.FuncTarget;
import dev.klpfleet.kernel.tracing.Kprobe;
import dev.klpfleet.kernel.tracing.KprobeState;
import dev.klpfleet.kernel.tracing.TracingState;
import dev.klpfleet.kernel.tracing.UsageKind;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The checks that look at who else uses the functions a patch replaces, and at the kernel's health. */
final class ExtraChecks {
    private ExtraChecks() {}

    static List<Check> all(KernelRoot root, ModuleInspection module, List<KlpPatch> loaded, String release) {
        List<Check> out = new ArrayList<>();
        Set<FuncTarget> targets = new LinkedHashSet<>();
        module.objects().forEach(o -> o.funcs().forEach(f -> targets.add(new FuncTarget(o.name(), f.name()))));
        Set<FuncTarget> livepatched = loaded.stream().flatMap(p -> p.funcs().stream())
                .map(f -> new FuncTarget(f.object(), f.func().name())).collect(Collectors.toSet());
        TracingState tracing = TracingState.read(root);
        List<FtraceUsage> users = tracing.usersOf(targets, livepatched);
        out.add(ipmodify(users));
        out.add(direct(users, release));
        out.add(kprobes(users, tracing));
        out.add(tracers(users, tracing));
        out.add(taint(root));
        return out;
    }

    private static Check ipmodify(List<FtraceUsage> users) {
        List<FtraceUsage> other = of(users, UsageKind.IPMODIFY);
        // Only one IPMODIFY ftrace ops may own a function (ftrace_hash_ipmodify_enable): the load fails with EBUSY.
        return other.isEmpty()
                ? Check.pass("ftrace-ipmodify", "no other IP-modifying ftrace user on the replaced functions")
                : Check.fail("ftrace-ipmodify", "another IPMODIFY ftrace user owns " + describe(other)
                        + "; the kernel would refuse the patch with EBUSY");
    }

    private static Check direct(List<FtraceUsage> users, String release) {
        List<FtraceUsage> direct = of(users, UsageKind.DIRECT);
        if (direct.isEmpty()) {
            return Check.pass("ftrace-direct", "no BPF trampoline (direct call) on the replaced functions");
        }
        // Before 6.0 a direct trampoline and an IPMODIFY user could not share a function
        // ("ftrace: Allow IPMODIFY and DIRECT ops on the same function", 6.0).
        boolean coexist = KernelVersion.ofRelease(release).map(v -> v.atLeast(6, 0)).orElse(false);
        return coexist
                ? Check.warn("ftrace-direct", "BPF trampoline on " + describe(direct)
                        + "; on 6.0+ it is asked to share the function and keeps running")
                : Check.fail("ftrace-direct", "BPF trampoline on " + describe(direct)
                        + "; before 6.0 it cannot share a function with a livepatch");
    }

    private static Check kprobes(List<FtraceUsage> users, TracingState tracing) {
        if (tracing.kprobes().isEmpty()) {
            return Check.warn("kprobes", "cannot read the kprobes list (debugfs not mounted?); kprobes unknown");
        }
        List<FtraceUsage> probes = of(users, UsageKind.KPROBE);
        if (probes.isEmpty()) {
            return Check.pass("kprobes", "no kprobe in the replaced functions");
        }
        // A probe on the entry still fires: it sits on the ftrace call site ([FTRACE] in the list;
        // +0x0, or +0x4 after endbr64 when IBT is on, as on Debian's 6.12) and ftrace runs it before
        // livepatch's handler moves the call to the new function. A probe inside the body never
        // fires again once tasks run the replacement, because the old body no longer runs.
        Set<String> entryProbes = tracing.kprobes().get().entries().stream()
                .filter(k -> k.offset() == 0 || k.states().contains(KprobeState.FTRACE))
                .map(Kprobe::raw).collect(Collectors.toSet());
        List<FtraceUsage> body = probes.stream().filter(u -> !entryProbes.contains(u.evidence())).toList();
        List<FtraceUsage> entry = probes.stream().filter(u -> entryProbes.contains(u.evidence())).toList();
        if (!body.isEmpty()) {
            return Check.warn("kprobes", "kprobe inside " + describe(body)
                    + " will stop firing once tasks run the replacement");
        }
        return Check.warn("kprobes", "kprobe on the entry of " + describe(entry)
                + " keeps firing, but the new function's body is what runs after it");
    }

    private static Check tracers(List<FtraceUsage> users, TracingState tracing) {
        List<FtraceUsage> tracers = of(users, UsageKind.TRACER);
        if (tracing.enabledFunctions().isEmpty()) {
            return Check.warn("ftrace-users", "cannot read enabled_functions (tracefs not mounted?); other ftrace users unknown");
        }
        return tracers.isEmpty()
                ? Check.pass("ftrace-users", "no other ftrace user on the replaced functions")
                : Check.warn("ftrace-users", "ftrace user on " + describe(tracers)
                        + " will still see calls to the old function's entry");
    }

    private static Check taint(KernelRoot root) {
        Optional<Taint> taint;
        try {
            taint = Taints.read(root);
        } catch (IllegalStateException e) {
            return Check.warn("taint", "taint unknown: " + e.getMessage());
        }
        if (taint.isEmpty()) {
            return Check.warn("taint", "cannot read /proc/sys/kernel/tainted: it does not exist");
        }
        Set<TaintFlag> bad = taint.get().bad();
        return bad.isEmpty()
                ? Check.pass("taint", "taint " + taint.get().value() + (taint.get().isClean() ? " (clean)" : " (" + letters(taint.get().flags()) + ")"))
                : Check.warn("taint", "kernel already tainted " + letters(bad) + ": "
                        + bad.stream().map(TaintFlag::meaning).collect(Collectors.joining("; "))
                        + "; a failure after the load may not be the patch's");
    }

    private static List<FtraceUsage> of(List<FtraceUsage> users, UsageKind kind) {
        return users.stream().filter(u -> u.kind() == kind).toList();
    }

    private static String describe(List<FtraceUsage> users) {
        return users.stream().map(u -> u.target().function() + (u.target().object().equals(FuncTarget.VMLINUX) ? "" : " [" + u.target().object() + "]")
                + " (" + u.evidence().strip() + ")").distinct().collect(Collectors.joining(", "));
    }

    private static String letters(Set<TaintFlag> flags) {
        return flags.stream().map(f -> String.valueOf(f.letter())).collect(Collectors.joining());
    }
}
