package dev.klpfleet.kernel.tracing;

/** The probe kind letter in {@code kprobes/list} (kernel/kprobes.c, report_probe). */
public enum KprobeType {
    /** {@code k}: a plain kprobe. */
    KPROBE,
    /** {@code r}: a kretprobe, fires on return. */
    KRETPROBE,
    /** {@code j}: a jprobe, removed in 4.15. */
    JPROBE
}
