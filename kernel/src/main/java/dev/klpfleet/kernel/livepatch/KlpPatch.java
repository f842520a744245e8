package dev.klpfleet.kernel.livepatch;

import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A loaded livepatch as {@code /sys/kernel/livepatch/<patch>} shows it at one instant.
 *
 * @param name       the patch name, which is the module's name
 * @param enabled    {@code enabled}: 1 once enabled, 0 after a disable was requested
 * @param transition {@code transition}: 1 while tasks are still being switched
 * @param replace    {@code replace} (6.11+): whether this is an atomic-replace patch; empty before 6.11
 * @param stackOrder {@code stack_order} (6.11+): position in the stack of patches, 1 = oldest
 * @param attributes which control files this kernel offers for the patch (e.g. {@code signal}
 *                   exists only on 4.15-5.0), so callers can tell "absent" from "false"
 * @param objects    vmlinux and the modules this patch changes
 */
public record KlpPatch(String name, boolean enabled, boolean transition, Optional<Boolean> replace,
                       OptionalInt stackOrder, List<String> attributes, List<KlpObject> objects) {

    public KlpPatch {
        attributes = List.copyOf(attributes);
        objects = List.copyOf(objects);
    }

    public boolean hasAttribute(String attribute) {
        return attributes.contains(attribute);
    }

    /** Every function this patch replaces, with its object. */
    public List<ObjectFunc> funcs() {
        return objects.stream()
                .flatMap(o -> o.funcs().stream().map(f -> new ObjectFunc(o.name(), f)))
                .toList();
    }

    /** A function qualified by the object it lives in, as stack frames name it: {@code func [module]}. */
    public record ObjectFunc(String object, KlpFunc func) {}
}
