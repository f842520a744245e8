package dev.klpfleet.kernel.load;

import java.util.Locale;

/** How a load or unload ended; the JSON and the exit code follow from it (docs/CLI.md). */
public enum Result {
    /** The patch is in: every task runs the new code. Also when it already was (nothing done). */
    APPLIED,
    /** Preflight failed; nothing was loaded. */
    REFUSED,
    /** insmod failed; nothing is left loaded. */
    LOAD_FAILED,
    /** The transition stalled and was reversed: the kernel runs the code it ran before, no module left behind. */
    STALLED_REVERTED,
    /** The transition stalled and, as asked, is still in progress; the kernel keeps retrying. */
    STALLED_WAITING,
    /** The reversal of a stalled transition stalled too: the host needs a human; the evidence says where. */
    REVERT_STALLED,
    /** Writing to the patch's {@code enabled} file failed (to disable it, or to back out a stalled transition). */
    DISABLE_FAILED,
    /** The patch is disabled (or was backed out) but rmmod kept failing; its module stays loaded, inert. */
    RMMOD_FAILED,
    /** The patch was disabled and its module removed. */
    UNLOADED,
    /** No patch or module of that name is loaded. */
    NOT_LOADED;

    /** The wire form: lower case with dashes, e.g. {@code stalled-reverted}. */
    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
