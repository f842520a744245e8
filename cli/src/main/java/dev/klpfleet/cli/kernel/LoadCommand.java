package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.insmod.ModuleTool;
import dev.klpfleet.kernel.load.KernelOperationLog;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.OnStall;
import dev.klpfleet.kernel.load.PatchLoader;
import dev.klpfleet.kernel.module.ModuleInspection;
import java.io.PrintWriter;
import java.nio.file.Path;
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

    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the transition may run before it counts as stalled (e.g. 30s, 2m, 500ms). Default: ${DEFAULT-VALUE}.")
    Duration stallTimeout;

    @Option(names = "--on-stall", paramLabel = "reverse|wait", defaultValue = "reverse", converter = OnStallConverter.class,
            description = "reverse: undo the transition and remove the module (default); wait: leave it running.")
    OnStall onStall;

    @Option(names = "--keep-replaced", description = "Keep the modules of patches an atomic replace superseded.")
    boolean keepReplaced;

    @Override
    public Integer call() throws InterruptedException {
        ModuleInspection module = ModuleFile.inspect(file);
        InstantSource clock = InstantSource.system();
        PatchLoader loader = new PatchLoader(kernel.root(), new ModuleTool(), clock, Pause.REAL,
                KernelOperationLog.factory(kernel.root(), clock));
        LoadResult result = loader.load(file, module, new LoadOptions(stallTimeout, onStall, keepReplaced));
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, result, r -> LoadReport.print(out, r));
        return LoadReport.exitCode(result.result());
    }
}
