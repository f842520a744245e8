package dev.klpfleet.kernel.livepatch;

/**
 * One function a patch replaces, as sysfs names it: the directory
 * {@code /sys/kernel/livepatch/<patch>/<object>/<func>,<sympos>}.
 *
 * @param name   the old function's symbol name
 * @param sympos position among same-named local symbols in kallsyms order; 0 means "the only one"
 */
public record KlpFunc(String name, int sympos) {

    /** Parses a function directory name such as {@code cmdline_proc_show,1}; a missing sympos reads as 0. */
    static KlpFunc fromDirName(String dir) {
        int comma = dir.lastIndexOf(',');
        if (comma < 0) {
            return new KlpFunc(dir, 0);
        }
        try {
            return new KlpFunc(dir.substring(0, comma), Integer.parseInt(dir.substring(comma + 1)));
        } catch (NumberFormatException e) {
            return new KlpFunc(dir, 0);
        }
    }
}
