package dev.klpfleet.kernel.tracing;

/** What kind of other user already sits on a function a patch wants to replace. */
public enum UsageKind {
    /**
     * An already loaded livepatch (IPMODIFY through {@code klp_ftrace_handler}). Livepatches stack
     * on one shared ftrace ops per function, so this is not a conflict.
     */
    LIVEPATCH,
    /**
     * A non-livepatch IPMODIFY user. Two IPMODIFY users cannot share a function: loading the patch
     * fails with EBUSY.
     */
    IPMODIFY,
    /**
     * A direct call (BPF fentry/fexit trampoline). Before 6.0 a direct user and an IPMODIFY user
     * could not share a function; since 6.0 the BPF side must cooperate.
     */
    DIRECT,
    /** A kprobe in the function: it stops firing once tasks run the replacement. */
    KPROBE,
    /** A plain ftrace user (function tracer, kprobe on ftrace, perf): coexists, but sees the old function's entry only. */
    TRACER
}
