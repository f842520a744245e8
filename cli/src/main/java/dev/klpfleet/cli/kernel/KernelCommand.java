package dev.klpfleet.cli.kernel;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.PatchLoader;
import java.time.InstantSource;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "kernel",
        description = "Inspect and drive the livepatch interface of the running kernel (needs root).",
        subcommands = {
                StatusCommand.class,
                PreflightCommand.class,
                LoadCommand.class,
                UnloadCommand.class,
                BlockersCommand.class,
        })
public final class KernelCommand {

    @Option(names = "--kernel-root", hidden = true, defaultValue = "/",
            description = "Where /sys and /proc are (fixture trees in tests).")
    Path kernelRoot;

    KernelRoot root() {
        return new KernelRoot(kernelRoot);
    }

    PatchLoader loader() {
        InstantSource clock = InstantSource.system();
        return PatchLoader.of(root(), clock);
    }
}
