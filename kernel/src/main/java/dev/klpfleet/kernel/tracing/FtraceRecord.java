package dev.klpfleet.kernel.tracing;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One function that has at least one ftrace user, from {@code enabled_functions}.
 *
 * @param function symbol name
 * @param module owning module, empty for vmlinux
 * @param refCount number of ftrace ops attached (the number in parentheses)
 * @param flags flags printed after the count
 * @param trampolines {@code tramp:} entries, one per ops with its own trampoline
 * @param ops the {@code ops:} entry (6.3+, call-ops architectures), raw
 * @param directTarget target of a direct call ({@code direct-->}), e.g. a BPF trampoline
 * @param raw the line(s) as read, continuation line included
 */
public record FtraceRecord(
        String function,
        Optional<String> module,
        int refCount,
        Set<FtraceFlag> flags,
        List<FtraceTrampoline> trampolines,
        Optional<String> ops,
        Optional<String> directTarget,
        String raw) {

    public FtraceRecord {
        flags = Set.copyOf(flags);
        trampolines = List.copyOf(trampolines);
    }

    public boolean has(FtraceFlag flag) {
        return flags.contains(flag);
    }

    /** True when one of this function's trampolines calls livepatch's handler. */
    public boolean hasLivepatchTrampoline() {
        return trampolines.stream().anyMatch(FtraceTrampoline::isLivepatch);
    }

    FtraceRecord withDirectTarget(String target, String continuation) {
        return new FtraceRecord(function, module, refCount, flags, trampolines, ops, Optional.of(target),
                raw + "\n" + continuation);
    }
}
