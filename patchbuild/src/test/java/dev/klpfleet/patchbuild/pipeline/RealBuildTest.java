package dev.klpfleet.patchbuild.pipeline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.patchbuild.backend.Backend;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult.Status;
import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.release.ReleaseFiles;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.ArtifactVerifier;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real compiles with make and gcc against the installed headers of both Debian kernel lines
 * (testbench/install-deps installs them; releases are found at run time, not named here). The
 * symbol lints are kept to an empty {@code --symbols-only} directory, so the result does not
 * depend on what else this host has; testbench's BuildOnRealKernelsVmTest runs them on captured data.
 * Tagged {@code vm}: it needs the Debian kernel headers, so an unprepared machine skips it.
 */
@Tag("vm")
class RealBuildTest {
    static KernelRelease line61;
    static KernelRelease line612;
    static final SigningKey KEY = SigningKeys.generate();
    @TempDir Path out;
    @TempDir Path noSymbols;

    @BeforeAll
    static void findReleases() {
        List<KernelRelease> installed = ReleaseFiles.installedHeaders(KernelRoot.host());
        line61 = installed.stream().filter(r -> r.major() == 6 && r.minor() == 1).findFirst().orElseThrow(
                () -> new AssertionError("no linux-headers for the 6.1 line; run testbench/install-deps"));
        line612 = installed.stream().filter(r -> r.major() == 6 && r.minor() == 12).findFirst().orElseThrow(
                () -> new AssertionError("no linux-headers for the 6.12 line; run testbench/install-deps"));
    }

    static Path patch(String name) throws Exception {
        return Path.of(RealBuildTest.class.getResource("/patches/" + name).toURI());
    }

    BuildSummary build(String patch, int jobs, KernelRelease... releases) throws Exception {
        BuildRequest req = new BuildRequest(patch(patch), List.of(releases), out, jobs,
                Backend.named("kbuild", Optional.empty()).orElseThrow(), Optional.of(KEY), "unused", "1.0", true,
                Optional.empty(), SymbolSearch.dirsOnly(List.of(noSymbols)), KernelRoot.host(), BuildRequest.DEFAULT_COMPILE_TIMEOUT,
                List.of("CVE-2030-1234", "CVE-2031-56789"));
        return new BuildPipeline(InstantSource.fixed(Instant.parse("2025-11-28T12:00:00Z")), "test-builder").run(req, BuildProgress.NONE);
    }

    @Test
    void a_patch_builds_signs_and_verifies_for_both_kernel_lines_in_parallel() throws Exception {
        BuildSummary s = build("fix_cmdline", 2, line61, line612);

        assertThat(s.results()).extracting(ReleaseResult::release).containsExactly(line61.name(), line612.name());
        for (ReleaseResult r : s.results()) {
            assertThat(r.status()).as(r.detail()).isEqualTo(Status.SIGNED);
            Path dir = out.resolve(r.release());
            byte[] manifestBytes = Files.readAllBytes(dir.resolve("manifest.json"));
            BuildManifest m = ManifestJson.fromBytes(manifestBytes);
            assertThat(m.patchName()).isEqualTo("fix_cmdline");
            assertThat(m.kernelRelease()).isEqualTo(r.release());
            assertThat(m.vermagic()).startsWith(r.release() + " ");
            assertThat(m.replace()).isTrue();
            assertThat(m.cves()).as("signed with the rest of the manifest").containsExactly("CVE-2030-1234", "CVE-2031-56789");
            assertThat(m.objects()).singleElement().satisfies(o -> {
                assertThat(o.name()).isEqualTo("vmlinux");
                assertThat(o.funcs()).containsExactly(new PatchedFunc("cmdline_proc_show", 0));
            });
            assertThat(m.provenance().kernelCompiler()).contains("gcc");
            // Without a symbol list the verdicts are unknown, never a false failure, and the build is signed.
            assertThat(m.lints()).filteredOn(l -> List.of("symbol-exists", "sympos", "ftrace").contains(l.lint()))
                    .hasSize(3).allSatisfy(l -> {
                        assertThat(l.level()).isEqualTo(LintLevel.UNKNOWN);
                        assertThat(l.reason()).contains("--symbols-only");
                    });
            assertThat(m.lints()).filteredOn(l -> l.lint().equals("object-exists"))
                    .singleElement().satisfies(l -> assertThat(l.level()).isEqualTo(LintLevel.PASS));
            Path ko = dir.resolve("fix_cmdline.ko");
            assertThat(ArtifactVerifier.verify(KEY.publicKey(), manifestBytes, Files.readAllBytes(dir.resolve("manifest.sig")),
                    Sha256.hex(ko), Files.size(ko)).verified()).isTrue();
        }
        assertThat(out.resolve("build.json")).exists();
    }

    @Test
    void a_source_that_compiles_only_on_6_12_fails_on_6_1_without_hiding_the_6_12_result() throws Exception {
        BuildSummary s = build("needs_6_4", 2, line61, line612);

        ReleaseResult old = s.results().get(0);
        assertThat(old.status()).isEqualTo(Status.COMPILE_FAILED);
        assertThat(old.detail()).contains("linux/livepatch_sched.h");
        assertThat(out.resolve(line61.name()).resolve("build.log")).content().contains("livepatch_sched.h: No such file or directory");
        assertThat(out.resolve(line61.name()).resolve("manifest.json")).doesNotExist();

        ReleaseResult current = s.results().get(1);
        assertThat(current.status()).as(current.detail()).isEqualTo(Status.SIGNED);
        assertThat(s.allBuilt()).isFalse();
    }
}
