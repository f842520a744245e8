package dev.klpfleet.kernel.tracing;

import java.util.Optional;

/**
 * Per-function flags printed by {@code enabled_functions} (kernel/trace/ftrace.c, t_show).
 * R and I exist on every supported kernel (4.18 included), D since 5.5, O since 6.3, M since 6.5.
 */
public enum FtraceFlag {
    /** An ftrace user wants full pt_regs (livepatch, kprobes on ftrace). */
    REGS('R'),
    /** A user rewrites the instruction pointer: livepatch, or a kprobe with a post handler before 5.11. */
    IPMODIFY('I'),
    /** A direct call to a custom trampoline, such as a BPF fentry/fexit/fmod_ret program. */
    DIRECT('D'),
    /** The call site calls through a per-callsite ops pointer (arm64 call ops). */
    CALL_OPS('O'),
    /** Something has modified this function (IPMODIFY or direct) at some point since boot; sticky. */
    MODIFIED('M');

    private final char letter;

    FtraceFlag(char letter) {
        this.letter = letter;
    }

    public char letter() {
        return letter;
    }

    static Optional<FtraceFlag> ofLetter(String token) {
        if (token.length() != 1) {
            return Optional.empty();
        }
        for (FtraceFlag f : values()) {
            if (f.letter == token.charAt(0)) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
