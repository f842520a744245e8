package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.insmod.ModuleTool;
import dev.klpfleet.kernel.load.KernelOperationLog;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.OnStall;
import dev.klpfleet.kernel.load.PatchLoader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the transition may run before it counts as stalled. Default: ${DEFAULT-VALUE}.")
    Duration stallTimeout;

    @Option(names = "--on-stall", paramLabel = "reverse|wait", defaultValue = "reverse", converter = OnStallConverter.class,
            description = "reverse: re-enable the patch (default); wait: leave the transition running.")
    OnStall onStall;

    @Override
    public Integer call() throws InterruptedException {
        InstantSource clock = InstantSource.system();
        PatchLoader loader = new PatchLoader(kernel.root(), new ModuleTool(), clock, Pause.REAL,
                KernelOperationLog.factory(kernel.root(), clock));
        LoadResult result = loader.unload(name, new LoadOptions(stallTimeout, onStall, false));
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, result, r -> LoadReport.print(out, r));
        return LoadReport.exitCode(result.result());
    }
}
