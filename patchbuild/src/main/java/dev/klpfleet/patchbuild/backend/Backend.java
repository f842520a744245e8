package dev.klpfleet.patchbuild.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A way to turn a patch into a livepatch module for one release. {@code kbuild} builds a
 * hand-written livepatch module against installed headers; {@code kpatch-build} and
 * {@code klp-build} derive one from a source {@code .patch} and need a full kernel tree.
 */
public sealed interface Backend permits KbuildBackend, KpatchBuildBackend, KlpBuildBackend {
    /** The name used on the command line and in manifests. */
    String name();

    /**
     * Compiles {@code job}. Never throws for a compile that fails: that is a {@link CompileOutcome.Failed}
     * with the back-end's output.
     *
     * @throws IOException if the work directory cannot be written or the tool cannot be started
     */
    CompileOutcome compile(CompileJob job) throws IOException;

    /** The back-end called {@code name} ({@code kbuild}, {@code kpatch-build}, {@code klp-build}), using {@code tool} instead of the one on PATH. */
    static Optional<Backend> named(String name, Optional<Path> tool) {
        return switch (name) {
            case "kbuild" -> Optional.of(new KbuildBackend(tool.map(Path::toString).orElse("make")));
            case "kpatch-build" -> Optional.of(new KpatchBuildBackend(tool.map(Path::toString).orElse("kpatch-build")));
            case "klp-build" -> Optional.of(new KlpBuildBackend(tool));
            default -> Optional.empty();
        };
    }
}
