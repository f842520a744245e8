package dev.klpfleet.patchbuild.pipeline;

import dev.klpfleet.patchbuild.backend.CompileJob;
import dev.klpfleet.patchbuild.backend.CompileOutcome;
import dev.klpfleet.patchbuild.lint.LintContext;
import dev.klpfleet.patchbuild.lint.Lints;
import dev.klpfleet.patchbuild.manifest.ManifestFactory;
import dev.klpfleet.patchbuild.pipeline.BuildProgress.Stage;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult.Status;
import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.release.ReleaseFiles;
import dev.klpfleet.patchbuild.symbols.SymbolCatalog;
import dev.klpfleet.kernel.module.ModuleFormatException;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.ManifestJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Builds one patch for many releases: compile, inspect, lint, write the manifest, sign — each
 * release independently, at most {@code jobs} at once. A release that fails never stops or hides
 * the others; every release gets a {@link ReleaseResult}.
 */
public final class BuildPipeline {
    private final InstantSource clock;
    private final String host;

    public BuildPipeline(InstantSource clock, String host) {
        this.clock = clock;
        this.host = host;
    }

    /**
     * Runs {@code request} and writes {@code OUT/build.json}.
     *
     * @throws IOException if the output directory cannot be created or build.json written
     */
    public BuildSummary run(BuildRequest request, BuildProgress progress) throws IOException, InterruptedException {
        Files.createDirectories(request.out());
        long start = System.nanoTime();
        String compiler = Toolchain.compiler();
        request.releases().forEach(r -> progress.stage(r, Stage.QUEUED));
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(request.jobs(), request.releases().size()));
        List<ReleaseResult> results = new ArrayList<>();
        try {
            List<Future<ReleaseResult>> futures = new ArrayList<>();
            for (KernelRelease r : request.releases()) {
                futures.add(pool.submit(() -> {
                    ReleaseResult result = buildOne(request, r, compiler, progress);
                    progress.finished(r, result);
                    return result;
                }));
            }
            for (int i = 0; i < futures.size(); i++) {
                try {
                    results.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    KernelRelease r = request.releases().get(i);
                    ReleaseResult failed = error(request, r, "unexpected failure: " + e.getCause());
                    progress.finished(r, failed);
                    results.add(failed);
                }
            }
        } finally {
            pool.shutdownNow();
        }
        BuildSummary summary = new BuildSummary(request.backend().name(), request.jobs(),
                Duration.ofNanos(System.nanoTime() - start).toMillis(), results);
        Files.write(request.out().resolve("build.json"), SummaryJson.toBytes(summary));
        return summary;
    }

    private ReleaseResult buildOne(BuildRequest req, KernelRelease r, String compiler, BuildProgress progress) {
        try {
            return build(req, r, compiler, progress);
        } catch (IOException | UncheckedIOException e) {
            return error(req, r, e.getMessage());
        }
    }

    private ReleaseResult build(BuildRequest req, KernelRelease r, String compiler, BuildProgress progress) throws IOException {
        Path dir = req.out().resolve(r.name());
        Path work = req.out().resolve(".work").resolve(r.name());
        deleteTree(dir);
        deleteTree(work);
        Files.createDirectories(dir);
        Files.createDirectories(work);
        ReleaseFiles files = new ReleaseFiles(req.root(), r);

        progress.stage(r, Stage.COMPILING);
        CompileOutcome outcome = req.backend().compile(new CompileJob(req.source(), files, work, req.patchName(), req.replace(),
                req.kernelTrees().map(t -> t.resolve(r.name())), req.compileTimeout()));
        writeLog(dir, outcome);
        long compileMillis = outcome.elapsed().toMillis();
        if (outcome instanceof CompileOutcome.Failed f) {
            return new ReleaseResult(r.name(), Status.COMPILE_FAILED, f.reason(), dir.toString(), null, null, List.of(), compileMillis, 0);
        }
        Path built = ((CompileOutcome.Compiled) outcome).module();
        Path module = dir.resolve(built.getFileName().toString());
        Files.copy(built, module, StandardCopyOption.REPLACE_EXISTING);

        long lintStart = System.nanoTime();
        progress.stage(r, Stage.INSPECTING);
        ModuleInspection inspection;
        try {
            inspection = ModuleInspector.inspect(module);
        } catch (ModuleFormatException e) {
            return error(req, r, "built module is unreadable: " + e.getMessage());
        }
        progress.stage(r, Stage.LINTING);
        List<LintVerdict> lints = new ArrayList<>();
        lints.add(vermagic(inspection, r));
        if (inspection.objects().isEmpty()) {
            lints.add(new LintVerdict("klp-patch", LintLevel.FAIL, "no struct klp_patch found in the module: "
                    + inspection.unknowns().stream().map(u -> u.reason()).collect(Collectors.joining("; "))));
        }
        SymbolCatalog catalog = SymbolCatalog.of(req.root(), r, req.symbols());
        lints.addAll(Lints.run(Lints.standard(), new LintContext(r, ManifestFactory.objects(inspection),
                inspection.symbolLookup().klpRelocations(), catalog)));
        long lintMillis = Duration.ofNanos(System.nanoTime() - lintStart).toMillis();

        BuildProvenance provenance = new BuildProvenance(host, Toolchain.klpfleetVersion(), req.backend().name(), compiler,
                files.kernelCompiler().orElse(null), clock.instant().toString());
        BuildManifest manifest = ManifestFactory.manifest(inspection, r.name(), module.getFileName().toString(),
                req.patchVersion(), lints, provenance, req.cves());
        byte[] manifestBytes = ManifestJson.toBytes(manifest);
        Files.write(dir.resolve(ArtifactFiles.MANIFEST), manifestBytes);

        String file = module.getFileName().toString();
        if (!manifest.lintsPassed()) {
            String failed = lints.stream().filter(l -> l.level() == LintLevel.FAIL).map(l -> l.lint() + ": " + l.reason())
                    .collect(Collectors.joining("; "));
            return new ReleaseResult(r.name(), Status.LINT_FAILED, failed, dir.toString(), file, manifest.sha256(), lints,
                    compileMillis, lintMillis);
        }
        if (req.key().isEmpty()) {
            return new ReleaseResult(r.name(), Status.UNSIGNED, "built " + file + "; not signed (no --key)", dir.toString(), file,
                    manifest.sha256(), lints, compileMillis, lintMillis);
        }
        progress.stage(r, Stage.SIGNING);
        Files.write(dir.resolve(ArtifactFiles.SIGNATURE),
                ArtifactSigner.sign(req.key().get(), manifestBytes, manifest.sha256()).toBytes());
        return new ReleaseResult(r.name(), Status.SIGNED, "built and signed " + file + " with key " + req.key().get().keyId(),
                dir.toString(), file, manifest.sha256(), lints, compileMillis, lintMillis);
    }

    /** The kernel refuses a module whose vermagic names another release (kernel/module/version.c, same_magic). */
    private static LintVerdict vermagic(ModuleInspection m, KernelRelease r) {
        String built = m.kernelRelease().orElse("");
        return built.equals(r.name())
                ? new LintVerdict("vermagic", LintLevel.PASS, "vermagic names " + r)
                : new LintVerdict("vermagic", LintLevel.FAIL, "vermagic names '" + built + "', not " + r + ": the kernel would refuse it");
    }

    private static void writeLog(Path dir, CompileOutcome o) throws IOException {
        String header = "$ " + String.join(" ", o.command()) + "\n";
        Files.writeString(dir.resolve(ArtifactFiles.LOG), header + o.log(), StandardCharsets.UTF_8);
    }

    private ReleaseResult error(BuildRequest req, KernelRelease r, String why) {
        return new ReleaseResult(r.name(), Status.ERROR, why, req.out().resolve(r.name()).toString(), null, null, List.of(), 0, 0);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
