package dev.klpfleet.testbench;

/**
 * The kernel modules under {@code testbench/modules/}, each verified on 6.1 and 6.12.
 * The enum name is for Java callers; {@link #moduleName()} is the kernel's name (and the
 * {@code .ko} file's stem, and the {@code /sys/kernel/livepatch/} directory for livepatches).
 */
public enum TestModule {
    /** Livepatch of vmlinux {@code cmdline_proc_show}: {@code /proc/cmdline} reads {@code klpfleet: patched cmdline v1}. */
    KLPF_CMDLINE("klpf_cmdline"),
    /**
     * Ordinary module: kthread {@code klpf_sleeper} sleeps (TASK_IDLE) in {@code klpf_target_wait}
     * until rmmod; kthread {@code klpf_napper} calls the empty {@code klpf_target_nap} ten times a
     * second, sleeping in its own loop; {@code /proc/klpf_target} reads {@code target v0} via
     * {@code klpf_target_show}.
     */
    KLPF_TARGET("klpf_target"),
    /**
     * Livepatch with object {@code klpf_target} replacing {@code klpf_target_wait} and
     * {@code klpf_target_show} ({@code target patched}); its transition stalls on {@code klpf_sleeper}.
     */
    KLPF_TARGET_PATCH("klpf_target_patch"),
    /**
     * Livepatch with object {@code klpf_target} replacing {@code klpf_target_wait} (its transition
     * stalls on {@code klpf_sleeper}) and {@code klpf_target_nap}, whose new version sleeps until
     * {@code /sys/module/klpf_revert_stall/parameters/release} is 1: {@code klpf_napper}, switched
     * and asleep in it, stalls the reversal too.
     */
    KLPF_REVERT_STALL("klpf_revert_stall"),
    /** Cumulative ({@code replace}) livepatch of vmlinux {@code version_proc_show}: {@code /proc/version} reads {@code klpfleet replace v1}. */
    KLPF_REPLACE_V1("klpf_replace_v1"),
    /** Like {@link #KLPF_REPLACE_V1} printing {@code klpfleet replace v2}; loading it replaces v1. */
    KLPF_REPLACE_V2("klpf_replace_v2"),
    /**
     * Livepatch with objects vmlinux ({@code execdomains_proc_show,1} and {@code s_show,1}, the
     * latter with an explicit old_sympos) and {@code klpf_target} ({@code klpf_target_show,1}).
     */
    KLPF_MULTI("klpf_multi"),
    /**
     * Livepatch with object {@code klpf_target} whose new {@code klpf_target_show} panics the
     * kernel: loading it completes at once, {@code cat /proc/klpf_target} then takes the host down.
     */
    KLPF_PANIC_PATCH("klpf_panic_patch");

    private final String moduleName;

    TestModule(String moduleName) {
        this.moduleName = moduleName;
    }

    /** Returns the kernel module name, e.g. {@code klpf_cmdline}. */
    public String moduleName() {
        return moduleName;
    }

    /** Returns the {@code .ko} file name, e.g. {@code klpf_cmdline.ko}. */
    public String fileName() {
        return moduleName + ".ko";
    }
}
