package dev.klpfleet.kernel.module;

import java.util.List;
import java.util.Optional;

/**
 * What a kernel module file ({@code .ko}) declares about itself, read from its ELF sections
 * without loading it: the {@code .modinfo} strings, and for a livepatch the objects and funcs its
 * {@code struct klp_patch} replaces. Facts the file does not settle are listed in
 * {@link #unknowns()} with the reason, never guessed.
 *
 * @param name         the module name: {@code .modinfo name=}, else the {@code name} field of the
 *                     {@code struct module} in {@code .gnu.linkonce.this_module}
 * @param vermagic     {@code .modinfo vermagic=}, e.g. {@code "6.1.0-56-amd64 SMP preempt mod_unload modversions"}
 * @param kernelRelease the first word of {@link #vermagic()}, the release the module was built for
 * @param srcversion   {@code .modinfo srcversion=} (modpost adds it only with MODULE_VERSION or
 *                     CONFIG_MODULE_SRCVERSION_ALL)
 * @param license      {@code .modinfo license=}
 * @param depends      {@code .modinfo depends=}, split on commas; empty when the module needs none
 * @param livepatch    {@code .modinfo livepatch=Y}: the flag the kernel checks before it lets the
 *                     module call {@code klp_enable_patch()} (and taints with K)
 * @param replace      whether the patch uses atomic replace ({@code klp_patch.replace})
 * @param objects      the {@code klp_object}s of the module's {@code struct klp_patch}, in array
 *                     order; empty for an ordinary module or when the patch could not be read
 * @param symbolLookup the symbols insmod has to resolve, which predicts the load-time CPU cost
 * @param unknowns     every fact that could not be determined, with why
 * @param sizeBytes    the file size
 * @param sha256       the file's SHA-256, lower-case hex
 */
public record ModuleInspection(
        String name,
        Optional<String> vermagic,
        Optional<String> kernelRelease,
        Optional<String> srcversion,
        Optional<String> license,
        List<String> depends,
        boolean livepatch,
        Replace replace,
        List<KlpObjectInfo> objects,
        SymbolLookupCost symbolLookup,
        List<Unknown> unknowns,
        long sizeBytes,
        String sha256) {

    public ModuleInspection {
        depends = List.copyOf(depends);
        objects = List.copyOf(objects);
        unknowns = List.copyOf(unknowns);
    }

    /** All funcs of all objects, in array order. */
    public List<FuncInfo> funcs() {
        return objects.stream().flatMap(o -> o.funcs().stream()).toList();
    }
}
