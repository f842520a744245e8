package dev.klpfleet.kernel.module;

/**
 * One {@code struct klp_func}: a function the patch replaces.
 *
 * @param name    {@code klp_func.old_name}, the symbol replaced in the object
 * @param sympos  {@code klp_func.old_sympos}: 0 means the name must be unique in the object, N picks
 *                the Nth of several local symbols with that name (sysfs shows it as {@code name,N},
 *                0 shown as 1)
 * @param newFunc the module's symbol {@code klp_func.new_func} points at, or {@code "unknown"} with
 *                a matching {@link Unknown} when no symbol covers the relocation target
 */
public record FuncInfo(String name, long sympos, String newFunc) {

    /** The directory name under {@code /sys/kernel/livepatch/<patch>/<object>/} (kernel 4.7+). */
    public String sysfsName() {
        return name + "," + (sympos == 0 ? 1 : sympos);
    }
}
