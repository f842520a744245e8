package dev.klpfleet.patchbuild.pipeline;

import dev.klpfleet.patchbuild.backend.Backend;
import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.SigningKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One {@code klpfleet build}: a patch, the releases to build it for, and where results go.
 *
 * @param source         the patch source (see {@link dev.klpfleet.patchbuild.backend.CompileJob#source})
 * @param releases       the releases, in the order results are reported
 * @param out            the output directory (docs/ARTIFACTS.md, "Output layout")
 * @param jobs           how many releases compile at once, at least 1
 * @param backend        how to compile
 * @param key            the signing key; without it nothing is signed
 * @param patchName      the module name tree-based back-ends are asked for
 * @param patchVersion   recorded in each manifest
 * @param replace        build an atomic-replace patch where the back-end decides
 * @param kernelTrees    DIR holding a built kernel tree per release as DIR/RELEASE (tree-based back-ends)
 * @param symbols        where each release's symbol data is looked for
 * @param root           the host's file system root (a fixture tree in tests)
 * @param compileTimeout the most one release's compile may take
 * @param cves           CVE ids each manifest records as fixed (signed with it)
 */
public record BuildRequest(Path source, List<KernelRelease> releases, Path out, int jobs, Backend backend,
                           Optional<SigningKey> key, String patchName, String patchVersion, boolean replace,
                           Optional<Path> kernelTrees, SymbolSearch symbols, KernelRoot root, Duration compileTimeout,
                           List<String> cves) {

    /** A compile slower than this is stuck: a livepatch module builds in seconds, kpatch-build in tens of minutes. */
    public static final Duration DEFAULT_COMPILE_TIMEOUT = Duration.ofMinutes(60);

    public BuildRequest {
        releases = List.copyOf(releases);
        cves = cves == null ? List.of() : List.copyOf(cves);
        for (String c : cves) {
            if (!dev.klpfleet.protocol.artifact.CveId.valid(c)) {
                throw new IllegalArgumentException(dev.klpfleet.protocol.artifact.CveId.problem(c));
            }
        }
        if (jobs < 1) {
            throw new IllegalArgumentException("jobs must be at least 1, was " + jobs);
        }
        if (releases.isEmpty()) {
            throw new IllegalArgumentException("no kernel release to build for");
        }
    }

    /** A build that names no CVE. */
    public BuildRequest(Path source, List<KernelRelease> releases, Path out, int jobs, Backend backend,
                        Optional<SigningKey> key, String patchName, String patchVersion, boolean replace,
                        Optional<Path> kernelTrees, SymbolSearch symbols, KernelRoot root, Duration compileTimeout) {
        this(source, releases, out, jobs, backend, key, patchName, patchVersion, replace, kernelTrees, symbols, root, compileTimeout, List.of());
    }
}
