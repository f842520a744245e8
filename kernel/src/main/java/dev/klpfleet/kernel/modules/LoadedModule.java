package dev.klpfleet.kernel.modules;

import dev.klpfleet.kernel.taint.TaintFlag;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * One line of {@code /proc/modules}.
 *
 * @param name module name as the kernel stores it (always with {@code _}, never {@code -})
 * @param size bytes of core text and data
 * @param refCount reference count; empty when the kernel was built without module unloading and
 *     prints {@code -}
 * @param usedBy modules that depend on this one (the 4th column), empty for {@code -}
 * @param state life-cycle state
 * @param address load address; {@code 0x0000000000000000} when kptr_restrict hides it from a
 *     non-root reader, empty when the kernel printed none
 * @param taints taint flags this module set (the letters in parentheses, e.g. {@code (OEK)})
 * @param raw the line as read
 */
public record LoadedModule(
        String name,
        long size,
        OptionalInt refCount,
        List<String> usedBy,
        ModuleState state,
        Optional<String> address,
        Set<TaintFlag> taints,
        String raw) {

    public LoadedModule {
        usedBy = List.copyOf(usedBy);
        taints = Set.copyOf(taints);
    }

    /** True when this module set the livepatch taint ({@code K}): it is a livepatch module. */
    public boolean isLivepatch() {
        return taints.contains(TaintFlag.LIVEPATCH);
    }
}
