package dev.klpfleet.patchbuild.backend;

import dev.klpfleet.patchbuild.release.ReleaseFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One compile of one patch for one release.
 *
 * @param source     the patch source: a Kbuild directory (kbuild) or a {@code .patch} file (kpatch-build, klp-build)
 * @param release    the release's installed files
 * @param workDir    an empty directory this compile owns; the module is left here
 * @param patchName  the module name asked for (kpatch-build {@code -n}, klp-build {@code -o NAME.ko}); kbuild takes it from the Kbuild file
 * @param replace    whether to build an atomic-replace patch where the back-end decides it (kpatch-build, klp-build)
 * @param kernelTree a full kernel tree for this release (kpatch-build, klp-build), when configured
 * @param timeout    the most the compile may take before it is killed
 */
public record CompileJob(Path source, ReleaseFiles release, Path workDir, String patchName, boolean replace,
                         Optional<Path> kernelTree, Duration timeout) {}
