package dev.klpfleet.patchbuild.backend;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs the kernel's own {@code scripts/livepatch/klp-build} (Linux 6.19+), which builds a
 * livepatch module from a source {@code .patch} by comparing objtool output of the tree built
 * with and without it. It runs in the release's built kernel tree:
 * {@code cd TREE && scripts/livepatch/klp-build -o WORKDIR/NAME.ko [--no-replace] PATCH}.
 */
public final class KlpBuildBackend implements Backend {
    private final Optional<Path> tool;

    KlpBuildBackend(Optional<Path> tool) {
        this.tool = tool;
    }

    @Override
    public String name() {
        return "klp-build";
    }

    /** The command line for {@code job}, run in {@code tree}. */
    List<String> command(CompileJob job, Path tree) {
        String exe = tool.map(Path::toString).orElse(tree.resolve("scripts/livepatch/klp-build").toString());
        List<String> cmd = new ArrayList<>(List.of(exe, "-o", job.workDir().resolve(job.patchName() + ".ko").toString()));
        if (!job.replace()) {
            cmd.add("--no-replace");
        }
        cmd.add(job.source().toAbsolutePath().toString());
        return List.copyOf(cmd);
    }

    @Override
    public CompileOutcome compile(CompileJob job) throws IOException {
        Path tree = job.kernelTree().orElse(Path.of("."));
        return KpatchBuildBackend.ExternalTool.run(this, job, command(job, tree), tree, job.workDir());
    }
}
