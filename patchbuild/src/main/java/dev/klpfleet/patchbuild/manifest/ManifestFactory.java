package dev.klpfleet.patchbuild.manifest;

import dev.klpfleet.kernel.module.FuncInfo;
import dev.klpfleet.kernel.module.KlpObjectInfo;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.Replace;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.List;

/** Turns what {@code module inspect} read from a built module into the manifest's wire form. */
public final class ManifestFactory {
    private ManifestFactory() {}

    /** The patch's objects and funcs as the manifest and the lints see them. */
    public static List<PatchedObject> objects(ModuleInspection m) {
        return m.objects().stream().map(ManifestFactory::object).toList();
    }

    private static PatchedObject object(KlpObjectInfo o) {
        return new PatchedObject(o.name(), o.funcs().stream().map(ManifestFactory::func).toList());
    }

    private static PatchedFunc func(FuncInfo f) {
        // old_sympos is an unsigned long in C; a position past Integer.MAX_VALUE cannot exist in kallsyms.
        return new PatchedFunc(f.name(), (int) Math.min(Integer.MAX_VALUE, f.sympos()));
    }

    public static BuildManifest manifest(ModuleInspection m, String release, String moduleFile, String patchVersion,
                                         List<LintVerdict> lints, BuildProvenance provenance) {
        return manifest(m, release, moduleFile, patchVersion, lints, provenance, List.of());
    }

    /** The manifest of a build that says it fixes {@code cves}. */
    public static BuildManifest manifest(ModuleInspection m, String release, String moduleFile, String patchVersion,
                                         List<LintVerdict> lints, BuildProvenance provenance, List<String> cves) {
        return new BuildManifest(BuildManifest.FORMAT, m.name(), patchVersion, release, m.vermagic().orElse(""), moduleFile,
                m.sha256(), m.sizeBytes(), objects(m), m.replace().value() == Replace.Value.TRUE,
                m.symbolLookup().klpRelocations(), m.symbolLookup().undefinedSymbols(), lints, provenance, cves);
    }
}
