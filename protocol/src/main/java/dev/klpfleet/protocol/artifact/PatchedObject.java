package dev.klpfleet.protocol.artifact;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.List;
import java.util.Objects;

/**
 * One {@code struct klp_object} of a patch: the kernel object whose funcs it replaces.
 *
 * @param name  the module name the kernel matches against {@code mod->name}, or {@link #VMLINUX}
 *              for the kernel image itself (a {@code NULL} object name in C)
 * @param funcs the funcs replaced in that object
 */
public record PatchedObject(String name, List<PatchedFunc> funcs) {

    /** The name used for the kernel image (a {@code NULL} {@code klp_object.name}). */
    public static final String VMLINUX = "vmlinux";

    public PatchedObject {
        Objects.requireNonNull(name, "name");
        funcs = List.copyOf(funcs);
    }

    @JsonIgnore // derived from name; not a wire field
    public boolean isVmlinux() {
        return VMLINUX.equals(name);
    }
}
