package dev.klpfleet.kernel.livepatch;

import java.util.List;
import java.util.Optional;

/**
 * One object of a loaded patch: {@code vmlinux} or a module the patch changes.
 *
 * @param name    {@code vmlinux} or the module's name as the patch spells it
 * @param patched whether the object's functions are redirected now; read from
 *                {@code <object>/patched}, which exists only since 6.0, so empty before
 * @param funcs   the functions this object's part of the patch replaces
 */
public record KlpObject(String name, Optional<Boolean> patched, List<KlpFunc> funcs) {
    public static final String VMLINUX = "vmlinux";

    public KlpObject {
        funcs = List.copyOf(funcs);
    }

    /** Whether this object is the kernel image itself (named so, not {@code isVmlinux}, to stay out of the JSON). */
    public boolean vmlinux() {
        return VMLINUX.equals(name);
    }
}
