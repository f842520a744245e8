package dev.klpfleet.patchbuild.backend;

import dev.klpfleet.patchbuild.process.ProcessResult;
import dev.klpfleet.patchbuild.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Runs kpatch's {@code kpatch-build} (github.com/dynup/kpatch) on a source {@code .patch}:
 * {@code kpatch-build -s TREE -c TREE/.config -v TREE/vmlinux -n NAME -o WORKDIR [-R] PATCH}.
 * TREE is the release's full kernel tree, already built (it must hold {@code .config} and the
 * {@code vmlinux} the running kernels boot). kpatch-build builds replace patches by default;
 * {@code -R} ({@code --non-replace}) turns that off. It writes {@code WORKDIR/NAME.ko}.
 */
public final class KpatchBuildBackend implements Backend {
    private final String tool;

    KpatchBuildBackend(String tool) {
        this.tool = tool;
    }

    @Override
    public String name() {
        return "kpatch-build";
    }

    /** The command line for {@code job}, given its kernel tree. */
    List<String> command(CompileJob job, Path tree) {
        List<String> cmd = new ArrayList<>(List.of(tool,
                "-s", tree.toString(), "-c", tree.resolve(".config").toString(), "-v", tree.resolve("vmlinux").toString(),
                "-n", job.patchName(), "-o", job.workDir().toString()));
        if (!job.replace()) {
            cmd.add("-R");
        }
        cmd.add(job.source().toAbsolutePath().toString());
        return List.copyOf(cmd);
    }

    @Override
    public CompileOutcome compile(CompileJob job) throws IOException {
        return ExternalTool.run(this, job, command(job, job.kernelTree().orElse(Path.of("."))), job.workDir(), job.workDir());
    }

    /** Checks shared by both tree-based back-ends, then runs the tool and picks up the one module. */
    static final class ExternalTool {
        private ExternalTool() {}

        static CompileOutcome run(Backend b, CompileJob job, List<String> cmd, Path cwd, Path outputDir) throws IOException {
            if (!job.source().getFileName().toString().endsWith(".patch") || !Files.isRegularFile(job.source())) {
                return new CompileOutcome.Failed(b.name() + " takes a .patch file as --source, not " + job.source(), cmd, "",
                        java.time.Duration.ZERO);
            }
            if (job.kernelTree().isEmpty() || !Files.isDirectory(job.kernelTree().get())) {
                return new CompileOutcome.Failed(b.name() + " needs the full kernel tree of " + job.release().release()
                        + " (--kernel-trees DIR with DIR/" + job.release().release() + ")", cmd, "", java.time.Duration.ZERO);
            }
            ProcessResult r = Processes.run(cmd, cwd, Map.of("LC_ALL", "C"), job.timeout());
            if (r.timedOut()) {
                return new CompileOutcome.Failed(b.name() + " ran past " + job.timeout() + " and was killed", cmd, r.output(), r.elapsed());
            }
            if (r.exitCode() != 0) {
                return new CompileOutcome.Failed(BuiltModules.firstError(r.output(), b.name() + " exited with " + r.exitCode()),
                        cmd, r.output(), r.elapsed());
            }
            Path expected = outputDir.resolve(job.patchName() + ".ko");
            if (Files.isRegularFile(expected)) {
                return new CompileOutcome.Compiled(expected, cmd, r.output(), r.elapsed());
            }
            List<Path> modules = BuiltModules.modulesIn(outputDir);
            if (modules.size() != 1) {
                return new CompileOutcome.Failed(b.name() + " succeeded but left " + modules.size() + " modules in " + outputDir
                        + " (expected " + expected.getFileName() + ")", cmd, r.output(), r.elapsed());
            }
            return new CompileOutcome.Compiled(modules.get(0), cmd, r.output(), r.elapsed());
        }
    }
}
