package dev.klpfleet.kernel.tracing;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of who uses ftrace and kprobes in a kernel, taken before loading a patch. Each part
 * is empty when its file could not be read: that means unknown, never "no users".
 *
 * @param ftraceEnabled {@code kernel.ftrace_enabled}
 * @param enabledFunctions parsed {@code enabled_functions}
 * @param kprobes parsed {@code kprobes/list}
 */
public record TracingState(
        Optional<Boolean> ftraceEnabled,
        Optional<Parsed<FtraceRecord>> enabledFunctions,
        Optional<Parsed<Kprobe>> kprobes) {

    public static TracingState read(KernelRoot root) {
        return new TracingState(FtraceEnabled.read(root), EnabledFunctions.read(root), KprobeList.read(root));
    }

    /**
     * The other users of the given functions, one entry per (function, kind, evidence line). An
     * {@code enabled_functions} line yields LIVEPATCH or IPMODIFY for flag I (by whether a
     * trampoline calls {@code klp_ftrace_handler}), DIRECT for flag D, and TRACER when the ref count
     * exceeds the users those flags explain. Every kprobe in the function, active or not, yields
     * KPROBE.
     */
    public List<FtraceUsage> usersOf(Collection<FuncTarget> targets) {
        return usersOf(targets, Set.of());
    }

    /**
     * As {@link #usersOf(Collection)}, with the functions loaded livepatches already replace (from
     * their sysfs function directories). When several ops share a function the kernel prints no
     * trampoline, so flag I alone cannot tell a livepatch from a foreign IPMODIFY user; a target in
     * {@code patchedByLivepatch} resolves that to LIVEPATCH.
     */
    public List<FtraceUsage> usersOf(Collection<FuncTarget> targets, Set<FuncTarget> patchedByLivepatch) {
        List<FtraceUsage> out = new ArrayList<>();
        for (FuncTarget target : targets) {
            enabledFunctions.ifPresent(p -> p.entries().stream()
                    .filter(r -> target.matches(r.function(), r.module()))
                    .forEach(r -> addFtraceUsers(target, r, patchedByLivepatch.contains(target), out)));
            kprobes.ifPresent(p -> p.entries().stream()
                    .filter(k -> target.matches(k.symbol(), k.module()))
                    .forEach(k -> out.add(new FtraceUsage(target, UsageKind.KPROBE, k.raw()))));
        }
        return List.copyOf(out);
    }

    private static void addFtraceUsers(FuncTarget target, FtraceRecord r, boolean livepatched, List<FtraceUsage> out) {
        int explained = 0;
        if (r.has(FtraceFlag.IPMODIFY)) {
            out.add(new FtraceUsage(target, r.hasLivepatchTrampoline() || livepatched ? UsageKind.LIVEPATCH : UsageKind.IPMODIFY,
                    r.raw()));
            explained++;
        }
        if (r.has(FtraceFlag.DIRECT)) {
            out.add(new FtraceUsage(target, UsageKind.DIRECT, r.raw()));
            explained++;
        }
        if (r.refCount() > explained) {
            out.add(new FtraceUsage(target, UsageKind.TRACER, r.raw()));
        }
    }
}
