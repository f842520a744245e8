package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.module.ModuleInspection;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "load", description = {
        "Preflight, insmod and watch a livepatch until every task runs the new code.",
        "A transition still running after --stall-timeout is reversed (or left running with --on-stall wait),",
        "with the tasks that blocked it. Never writes 'force'. Exit codes: docs/CLI.md."})
final class LoadCommand implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE.ko", description = "The livepatch module.")
    Path file;

    @Mixin StallOptions stall;

    @Option(names = "--keep-replaced", description = "Keep the modules of patches an atomic replace superseded.")
    boolean keepReplaced;

    @Override
    public Integer call() throws InterruptedException {
        ModuleInspection module = ModuleFile.inspect(file);
        LoadResult result = kernel.loader().load(file, module, stall.loadOptions(keepReplaced));
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, result, r -> LoadReport.print(out, r));
        return LoadReport.exitCode(result.result());
    }
}
