package dev.klpfleet.kernel.tracing;

/** The bracketed markers after a {@code kprobes/list} entry. */
public enum KprobeState {
    /** The probed module was unloaded; the probe is dead. */
    GONE,
    DISABLED,
    /** Converted to a jump (optprobe). */
    OPTIMIZED,
    /** Placed on the ftrace call site: it is also an ftrace user of the function. */
    FTRACE
}
