package dev.klpfleet.protocol.artifact;

import java.util.List;
import java.util.Objects;

/**
 * What one livepatch module built for one kernel release is, as recorded at build time and
 * covered by the build's Ed25519 signature ({@link ArtifactSignature}). Serialized by
 * {@link ManifestJson} as {@code manifest.json}; docs/ARTIFACTS.md documents every field.
 *
 * @param format            always {@link #FORMAT}; readers refuse any other value
 * @param patchName         the livepatch module's name as the kernel will see it (the {@code .ko} name)
 * @param patchVersion      the version the builder gave this patch
 * @param kernelRelease     the {@code uname -r} this module was built for
 * @param vermagic          the module's {@code vermagic} string; the kernel refuses a mismatching one
 * @param moduleFile        file name of the module next to the manifest, e.g. {@code fix_cmdline.ko}
 * @param sha256            lowercase hex SHA-256 of the module file
 * @param size              the module file's size in bytes
 * @param objects           the objects (vmlinux or modules) the patch changes, with their funcs
 * @param replace           whether the patch is an atomic replace (cumulative) patch
 * @param klpRelocations    number of livepatch relocations ({@code .klp.rela.*}) the kernel resolves at load
 * @param undefinedSymbols  number of undefined symbols the module loader resolves at load
 * @param lints             one verdict per lint run against this release
 * @param provenance        who built it, with what, when
 * @param cves              the CVE ids the builder says this module fixes ({@code klpfleet build --cve}); signed with the
 *                          rest, so they cannot be added or changed after signing; empty when none (or absent in older manifests)
 */
public record BuildManifest(
        String format,
        String patchName,
        String patchVersion,
        String kernelRelease,
        String vermagic,
        String moduleFile,
        String sha256,
        long size,
        List<PatchedObject> objects,
        boolean replace,
        int klpRelocations,
        int undefinedSymbols,
        List<LintVerdict> lints,
        BuildProvenance provenance,
        List<String> cves) {

    /** The only manifest format this code reads and writes. */
    public static final String FORMAT = "klpfleet-manifest-v1";

    public BuildManifest {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(patchName, "patchName");
        Objects.requireNonNull(patchVersion, "patchVersion");
        Objects.requireNonNull(kernelRelease, "kernelRelease");
        Objects.requireNonNull(moduleFile, "moduleFile");
        Objects.requireNonNull(sha256, "sha256");
        objects = List.copyOf(objects);
        lints = List.copyOf(lints);
        Objects.requireNonNull(provenance, "provenance");
        cves = cves == null ? List.of() : List.copyOf(cves);
    }

    /** A manifest that names no CVE. */
    public BuildManifest(String format, String patchName, String patchVersion, String kernelRelease, String vermagic, String moduleFile,
                         String sha256, long size, List<PatchedObject> objects, boolean replace, int klpRelocations, int undefinedSymbols,
                         List<LintVerdict> lints, BuildProvenance provenance) {
        this(format, patchName, patchVersion, kernelRelease, vermagic, moduleFile, sha256, size, objects, replace, klpRelocations,
                undefinedSymbols, lints, provenance, List.of());
    }

    /** True when no lint failed: only such a build is signed. */
    public boolean lintsPassed() {
        return lints.stream().noneMatch(l -> l.level() == LintLevel.FAIL);
    }
}
