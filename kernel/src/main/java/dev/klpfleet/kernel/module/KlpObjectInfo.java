package dev.klpfleet.kernel.module;

import java.util.List;

/**
 * One {@code struct klp_object} of a livepatch: the kernel object (vmlinux or a module) whose
 * functions it replaces.
 *
 * @param name      the object name; {@code "vmlinux"} when {@code klp_object.name} is NULL, as in sysfs
 * @param funcs     its {@code klp_func} entries, in array order
 * @param callbacks the {@code klp_object.callbacks} pointers that are set, in the order
 *                  pre_patch, post_patch, pre_unpatch, post_unpatch
 */
public record KlpObjectInfo(String name, List<FuncInfo> funcs, List<Callback> callbacks) {

    /** The name the kernel shows in sysfs for a NULL {@code klp_object.name}. */
    public static final String VMLINUX = "vmlinux";

    public KlpObjectInfo {
        funcs = List.copyOf(funcs);
        callbacks = List.copyOf(callbacks);
    }
}
