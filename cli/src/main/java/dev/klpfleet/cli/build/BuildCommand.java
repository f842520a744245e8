package dev.klpfleet.cli.build;

import dev.klpfleet.patchbuild.backend.Backend;
import dev.klpfleet.patchbuild.pipeline.BuildPipeline;
import dev.klpfleet.patchbuild.pipeline.BuildRequest;
import dev.klpfleet.patchbuild.pipeline.BuildSummary;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult.Status;
import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.signing.KeyFiles;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import dev.klpfleet.protocol.artifact.SigningKey;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {"Build, lint and sign a livepatch module for each kernel release, in parallel.",
                "Writes OUT/RELEASE/{NAME.ko,manifest.json,manifest.sig,build.log} and OUT/build.json (docs/ARTIFACTS.md).",
                "Exit 0 when every release built; 30 when one did not compile; 31 when a lint failed (that release is not signed)."})
public final class BuildCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Mixin Output output;

    @Option(names = "--source", required = true, paramLabel = "DIR|PATCH",
            description = "kbuild: a livepatch module source directory (Kbuild or Makefile); kpatch-build, klp-build: a .patch file.")
    Path source;

    @Option(names = "--kernel", required = true, split = ",", paramLabel = "RELEASE",
            description = "Kernel release(s) as uname -r prints them, comma-separated.")
    List<String> kernels;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output directory; each release's subdirectory is replaced.")
    Path out;

    @Option(names = "--jobs", paramLabel = "N", description = "Releases built at once (default: number of cores).")
    Integer jobs;

    @Option(names = "--key", paramLabel = "KEYFILE", description = "Ed25519 private key from 'klpfleet keys generate'; without it nothing is signed.")
    Path key;

    @Option(names = "--backend", defaultValue = "kbuild", paramLabel = "NAME",
            description = "kbuild (default), kpatch-build or klp-build.")
    String backend;

    @Option(names = "--backend-tool", paramLabel = "PATH", description = "The back-end's executable, if not make / kpatch-build on PATH / TREE/scripts/livepatch/klp-build.")
    Path backendTool;

    @Option(names = "--kernel-trees", paramLabel = "DIR", description = "kpatch-build, klp-build: DIR/RELEASE is each release's built kernel tree.")
    Path kernelTrees;

    @Option(names = "--symbols", paramLabel = "DIR",
            description = "Symbol data per release, searched first (repeatable): kallsyms-RELEASE or System.map-RELEASE, "
                    + "available_filter_functions-RELEASE, modules.dep-RELEASE, modules.builtin-RELEASE (testbench/capture-symbols writes them).")
    List<Path> symbolDirs = new ArrayList<>();

    @Option(names = "--symbols-only",
            description = "Read symbol data only from --symbols, never from this host's /boot, /usr/lib/debug, /proc or tracefs, "
                    + "so the lints come out the same on every build host.")
    boolean symbolsOnly;

    @Option(names = "--patch-name", paramLabel = "NAME", description = "kpatch-build, klp-build: module name (default: the .patch file's name).")
    String patchName;

    @Option(names = "--patch-version", defaultValue = "1", paramLabel = "VERSION", description = "Recorded in each manifest (default: ${DEFAULT-VALUE}).")
    String patchVersion;

    @Option(names = "--cve", paramLabel = "CVE-YYYY-NNNN",
            description = "A CVE this patch fixes (repeatable); recorded in every manifest and signed with it, so it cannot change after signing.")
    List<String> cves = new ArrayList<>();

    @Option(names = "--no-replace", description = "kpatch-build, klp-build: build a non-replace patch (they build atomic-replace patches by default).")
    boolean noReplace;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BuildRequest request = request();
        ProgressDisplay display = new ProgressDisplay(err, System.console() != null && !output.json(), request.releases());
        BuildSummary summary;
        try {
            summary = new BuildPipeline(InstantSource.system(), hostName()).run(request, display);
        } finally {
            display.close();
        }
        output.emit(out, summary, s -> BuildReport.print(out, s));
        if (summary.results().stream().anyMatch(r -> r.status() == Status.COMPILE_FAILED || r.status() == Status.ERROR)) {
            return ExitCodes.BUILD_FAILED;
        }
        return summary.results().stream().anyMatch(r -> r.status() == Status.LINT_FAILED) ? ExitCodes.LINT_FAILED : ExitCodes.OK;
    }

    private BuildRequest request() {
        if (!Files.exists(source)) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--source " + source + " does not exist");
        }
        List<KernelRelease> releases = new ArrayList<>();
        for (String k : kernels) {
            try {
                KernelRelease r = KernelRelease.parse(k.strip());
                if (!releases.contains(r)) {
                    releases.add(r);
                }
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE, "--kernel: " + e.getMessage());
            }
        }
        int n = jobs == null ? Runtime.getRuntime().availableProcessors() : jobs;
        if (n < 1) {
            throw new CommandFailure(ExitCodes.USAGE, "--jobs must be at least 1, was " + n);
        }
        Backend b = Backend.named(backend, Optional.ofNullable(backendTool)).orElseThrow(() -> new CommandFailure(ExitCodes.USAGE,
                "--backend must be kbuild, kpatch-build or klp-build, not '" + backend + "'"));
        if (!b.name().equals("kbuild") && kernelTrees == null) {
            throw new CommandFailure(ExitCodes.USAGE, "--backend " + b.name() + " needs --kernel-trees DIR (DIR/RELEASE: a built kernel tree)");
        }
        if (Files.exists(out) && !Files.isDirectory(out)) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--out " + out + " exists and is not a directory");
        }
        for (Path d : symbolDirs) {
            if (!Files.isDirectory(d)) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "--symbols " + d + " is not a directory");
            }
        }
        if (symbolsOnly && symbolDirs.isEmpty()) {
            throw new CommandFailure(ExitCodes.USAGE, "--symbols-only needs at least one --symbols DIR");
        }
        List<Path> dirs = symbolDirs.stream().map(Path::toAbsolutePath).toList();
        SymbolSearch symbols = symbolsOnly ? SymbolSearch.dirsOnly(dirs) : SymbolSearch.dirsThenHost(dirs);
        Optional<SigningKey> signingKey = Optional.empty();
        if (key != null) {
            try {
                signingKey = Optional.of(KeyFiles.readPrivate(key));
            } catch (IOException | MalformedArtifactException e) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "--key " + key + ": " + e.getMessage());
            }
        }
        for (String c : cves) {
            if (!dev.klpfleet.protocol.artifact.CveId.valid(c)) {
                throw new CommandFailure(ExitCodes.USAGE, "--cve: " + dev.klpfleet.protocol.artifact.CveId.problem(c));
            }
        }
        if (cves.size() > dev.klpfleet.protocol.artifact.CveId.MAX_PER_BUILD) {
            throw new CommandFailure(ExitCodes.USAGE, "--cve: at most " + dev.klpfleet.protocol.artifact.CveId.MAX_PER_BUILD + " CVE ids per build");
        }
        String name = patchName != null ? patchName
                : source.getFileName().toString().replaceFirst("\\.patch$", "").replace('-', '_').toLowerCase(Locale.ROOT);
        return new BuildRequest(source.toAbsolutePath(), releases, out.toAbsolutePath(), n, b, signingKey, name, patchVersion,
                !noReplace, Optional.ofNullable(kernelTrees).map(Path::toAbsolutePath), symbols, KernelRoot.host(),
                BuildRequest.DEFAULT_COMPILE_TIMEOUT, cves.stream().distinct().toList());
    }

    private static String hostName() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname"), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The human report: one line per release, then what needs attention under it. */
    static final class BuildReport {
        private static final int ERROR_LINES_SHOWN = 15;

        private BuildReport() {}

        static void print(PrintWriter out, BuildSummary s) {
            for (ReleaseResult r : s.results()) {
                String status = r.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
                String mark = r.built() ? "ok  " : "FAIL";
                out.printf("%s %-28s %-15s %s%n", mark, r.release(), status,
                        r.built() ? r.module() + String.format(" (compile %.1fs, lint %.1fs)", r.compileMillis() / 1000.0, r.lintMillis() / 1000.0)
                                : "");
                if (r.status() == Status.COMPILE_FAILED) {
                    List<String> errors = compilerErrors(Path.of(r.directory()).resolve("build.log"));
                    if (errors.isEmpty()) {
                        out.println("     " + r.detail());
                    }
                    errors.forEach(l -> out.println("     | " + l));
                    out.println("     full log: " + Path.of(r.directory()).resolve("build.log"));
                } else if (r.status() == Status.ERROR) {
                    out.println("     " + r.detail());
                }
                r.lints().stream().filter(l -> l.level() != LintLevel.PASS)
                        .forEach(l -> out.println("     " + l.level().name().toLowerCase(Locale.ROOT) + " " + l.lint() + ": " + l.reason()));
            }
            long ok = s.results().stream().filter(ReleaseResult::built).count();
            out.printf("%d of %d releases built in %.1fs with %s, --jobs %d%n", ok, s.results().size(), s.wallMillis() / 1000.0,
                    s.backend(), s.jobs());
        }

        /** The compiler's error and note lines, as gcc prints them, at most {@link #ERROR_LINES_SHOWN}. */
        static List<String> compilerErrors(Path log) {
            try {
                return Files.readAllLines(log, StandardCharsets.UTF_8).stream()
                        .filter(l -> l.contains("error:") || l.contains("Error ") || l.contains("warning:"))
                        .limit(ERROR_LINES_SHOWN).toList();
            } catch (IOException e) {
                return List.of();
            }
        }
    }
}
