package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.symbols.SymbolCatalog;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.List;

/**
 * What every lint looks at: the patch's objects and funcs as read from the built module, the
 * symbols it makes the kernel resolve, and the release's own symbol data.
 *
 * @param release        the release the module was built for
 * @param objects        the patch's klp_objects with their klp_funcs
 * @param klpRelocations the module's livepatch relocations, each resolved through kallsyms at load
 * @param symbols        the release's symbol lists
 */
public record LintContext(KernelRelease release, List<PatchedObject> objects, int klpRelocations, SymbolCatalog symbols) {
    public LintContext {
        objects = List.copyOf(objects);
    }

    /** How many kallsyms lookups loading the patch costs: one per func, one per livepatch relocation. */
    public int symbolLookups() {
        return objects.stream().mapToInt(o -> o.funcs().size()).sum() + klpRelocations;
    }
}
