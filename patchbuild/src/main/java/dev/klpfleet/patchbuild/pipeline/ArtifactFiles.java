package dev.klpfleet.patchbuild.pipeline;

/** File names inside a release's output directory (docs/ARTIFACTS.md, "Output layout"). */
public final class ArtifactFiles {
    private ArtifactFiles() {}

    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.sig";
    public static final String LOG = "build.log";
    public static final String SUMMARY = "build.json";
}
