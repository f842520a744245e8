package dev.klpfleet.patchbuild.backend;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.patchbuild.pipeline.BuildPipeline;
import dev.klpfleet.patchbuild.pipeline.BuildProgress;
import dev.klpfleet.patchbuild.pipeline.BuildRequest;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.patchbuild.pipeline.BuildSummary;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult;
import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.ManifestJson;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * kpatch-build and klp-build cannot run on Debian 12 (no kpatch package, no 6.19 tree), so a
 * stand-in script per tool (src/test/resources/backend-fixtures) records the command line it got
 * and leaves a recorded livepatch module (a real 6.12 .ko) where the real tool would.
 */
class TreeBackendsTest {
    static final KernelRelease R612 = KernelRelease.parse("6.12.117+deb12-amd64");
    @TempDir Path tmp;

    static Path fixture(String name) throws Exception {
        return Path.of(TreeBackendsTest.class.getResource("/backend-fixtures/" + name).toURI());
    }

    /** A wrapper that hands the stand-in its fixture through the environment, as the real tools take none. */
    Path tool(String backend, boolean fail) throws Exception {
        Path w = tmp.resolve(backend + "-wrapper");
        Files.writeString(w, "#!/bin/sh\nexport FIXTURE_ARGV='" + tmp.resolve("argv") + "' FIXTURE_KO='" + fixture("livepatch-6.12.ko")
                + "' KPATCH_TREE=tree" + (fail ? " FIXTURE_FAIL=1" : "") + "\nexec '" + fixture("fake-" + backend) + "' \"$@\"\n");
        Files.setPosixFilePermissions(w, PosixFilePermissions.fromString("rwxr-xr-x"));
        return w;
    }

    BuildSummary build(String backend, boolean fail, boolean replace) throws Exception {
        Path trees = Files.createDirectories(tmp.resolve("trees").resolve(R612.name())).getParent();
        BuildRequest req = new BuildRequest(fixture("fix-cmdline.patch"), List.of(R612), tmp.resolve("out"), 1,
                Backend.named(backend, Optional.of(tool(backend, fail))).orElseThrow(), Optional.empty(), "fix_cmdline", "2",
                replace, Optional.of(trees), SymbolSearch.hostOnly(), new KernelRoot(tmp), BuildRequest.DEFAULT_COMPILE_TIMEOUT);
        return new BuildPipeline(InstantSource.fixed(Instant.EPOCH), "h").run(req, BuildProgress.NONE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kpatch-build", "klp-build"})
    void the_tools_module_is_picked_up_inspected_and_described(String backend) throws Exception {
        BuildSummary s = build(backend, false, true);

        ReleaseResult r = s.results().get(0);
        assertThat(r.status()).as(r.detail()).isEqualTo(ReleaseResult.Status.UNSIGNED);
        var m = ManifestJson.fromBytes(Files.readAllBytes(tmp.resolve("out").resolve(R612.name()).resolve("manifest.json")));
        assertThat(m.provenance().backend()).isEqualTo(backend);
        assertThat(m.kernelRelease()).isEqualTo(R612.name());
        assertThat(m.objects()).isNotEmpty();
        assertThat(tmp.resolve("out").resolve(R612.name()).resolve("build.log")).content().contains("SUCCESS", "changed function");
    }

    @ParameterizedTest
    @ValueSource(strings = {"kpatch-build", "klp-build"})
    void a_failing_tool_reports_its_error_line(String backend) throws Exception {
        ReleaseResult r = build(backend, true, true).results().get(0);
        assertThat(r.status()).isEqualTo(ReleaseResult.Status.COMPILE_FAILED);
        assertThat(r.detail()).containsIgnoringCase("error").contains(backend.equals("kpatch-build") ? "kpatch build failed" : "klp diff failed");
    }

    @org.junit.jupiter.api.Test
    void kpatch_build_gets_tree_config_vmlinux_name_output_and_non_replace() throws Exception {
        build("kpatch-build", false, false);
        Path tree = tmp.resolve("trees").resolve(R612.name());
        Path work = tmp.resolve("out").resolve(".work").resolve(R612.name());
        assertThat(Files.readAllLines(tmp.resolve("argv"))).containsExactly(
                "-s", tree.toString(), "-c", tree.resolve(".config").toString(), "-v", tree.resolve("vmlinux").toString(),
                "-n", "fix_cmdline", "-o", work.toString(), "-R", fixture("fix-cmdline.patch").toString());
    }

    @org.junit.jupiter.api.Test
    void klp_build_gets_output_file_and_no_replace() throws Exception {
        build("klp-build", false, false);
        Path work = tmp.resolve("out").resolve(".work").resolve(R612.name());
        assertThat(Files.readAllLines(tmp.resolve("argv"))).containsExactly(
                "-o", work.resolve("fix_cmdline.ko").toString(), "--no-replace", fixture("fix-cmdline.patch").toString());
    }

    @org.junit.jupiter.api.Test
    void a_directory_is_not_a_patch_for_tree_back_ends() throws Exception {
        Path trees = Files.createDirectories(tmp.resolve("trees").resolve(R612.name())).getParent();
        BuildRequest req = new BuildRequest(tmp, List.of(R612), tmp.resolve("out"), 1,
                Backend.named("kpatch-build", Optional.of(tool("kpatch-build", false))).orElseThrow(), Optional.empty(), "x", "1",
                true, Optional.of(trees), SymbolSearch.hostOnly(), new KernelRoot(tmp), BuildRequest.DEFAULT_COMPILE_TIMEOUT);
        ReleaseResult r = new BuildPipeline(InstantSource.fixed(Instant.EPOCH), "h").run(req, BuildProgress.NONE).results().get(0);
        assertThat(r.status()).isEqualTo(ReleaseResult.Status.COMPILE_FAILED);
        assertThat(r.detail()).contains("takes a .patch file");
    }
}
