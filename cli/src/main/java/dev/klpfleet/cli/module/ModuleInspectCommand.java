package dev.klpfleet.cli.module;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.module.ModuleFormatException;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code klpfleet module inspect FILE.ko}: what a module file declares, read from its ELF sections only. */
@Command(name = "inspect",
        mixinStandardHelpOptions = true,
        description = {
            "Show what a kernel module file declares, read from the file alone (no modinfo, no kernel):",
            "name, vermagic, the livepatch flag, atomic replace, the objects and funcs a livepatch",
            "replaces with their sympos, and the symbols insmod will have to look up."
        })
public final class ModuleInspectCommand implements Runnable {
    @Spec CommandSpec spec;
    @Mixin Output output;

    @Parameters(index = "0", paramLabel = "FILE.ko", description = "The module file (uncompressed).")
    Path file;

    @Override
    public void run() {
        ModuleInspection inspection;
        try {
            inspection = ModuleInspector.inspect(file);
        } catch (ModuleFormatException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, file + ": " + e.getMessage());
        } catch (NoSuchFileException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, file + ": no such file");
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, file + ": cannot read: " + e.getMessage());
        }
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, inspection, m -> new InspectionPrinter(out).print(file, m));
    }
}
