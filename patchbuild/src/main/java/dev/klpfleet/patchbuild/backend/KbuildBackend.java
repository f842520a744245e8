package dev.klpfleet.patchbuild.backend;

import dev.klpfleet.patchbuild.process.ProcessResult;
import dev.klpfleet.patchbuild.process.Processes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Builds an out-of-tree livepatch module (a directory with a Kbuild or Makefile, written against
 * {@code <linux/livepatch.h>}) with {@code make -C HEADERS M=WORKDIR modules}. The source is
 * copied first, so parallel builds for several releases never share object files.
 */
public final class KbuildBackend implements Backend {
    private final String make;

    KbuildBackend(String make) {
        this.make = make;
    }

    @Override
    public String name() {
        return "kbuild";
    }

    @Override
    public CompileOutcome compile(CompileJob job) throws IOException {
        if (!Files.isRegularFile(job.source().resolve("Kbuild")) && !Files.isRegularFile(job.source().resolve("Makefile"))) {
            return new CompileOutcome.Failed(job.source() + " has no Kbuild or Makefile", List.of(), "", Duration.ZERO);
        }
        Optional<Path> headers = job.release().headers();
        if (headers.isEmpty()) {
            return new CompileOutcome.Failed("no headers for " + job.release().release() + ": install linux-headers-"
                    + job.release().release(), List.of(), "", Duration.ZERO);
        }
        BuiltModules.copySource(job.source(), job.workDir());
        List<String> cmd = List.of(make, "-C", headers.get().toString(), "M=" + job.workDir(), "modules");
        // LC_ALL=C keeps gcc's "error:" untranslated so the first error can be found.
        ProcessResult r = Processes.run(cmd, job.workDir(), Map.of("LC_ALL", "C"), job.timeout());
        if (r.timedOut()) {
            return new CompileOutcome.Failed("make ran past " + job.timeout() + " and was killed", cmd, r.output(), r.elapsed());
        }
        if (r.exitCode() != 0) {
            return new CompileOutcome.Failed(BuiltModules.firstError(r.output(), "make exited with " + r.exitCode()), cmd,
                    r.output(), r.elapsed());
        }
        List<Path> modules = BuiltModules.modulesIn(job.workDir());
        if (modules.size() != 1) {
            return new CompileOutcome.Failed("built " + modules.size() + " modules; a livepatch source builds exactly one",
                    cmd, r.output(), r.elapsed());
        }
        return new CompileOutcome.Compiled(modules.get(0), cmd, r.output(), r.elapsed());
    }
}
