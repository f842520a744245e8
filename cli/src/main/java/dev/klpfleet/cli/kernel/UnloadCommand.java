package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.load.LoadResult;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "unload", description = {
        "Disable a livepatch, watch the unpatching transition, and remove its module.",
        "A stalled unpatching is reversed (the patch stays applied) or left running with --on-stall wait."})
final class UnloadCommand implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "NAME", description = "The patch (module) name, as 'klpfleet kernel status' shows it.")
    String name;

    @Mixin StallOptions stall;

    @Override
    public Integer call() throws InterruptedException {
        LoadResult result = kernel.loader().unload(name, stall.loadOptions(false));
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, result, r -> LoadReport.print(out, r));
        return LoadReport.exitCode(result.result());
    }
}
