package dev.klpfleet.cli.module;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code klpfleet module}: commands about kernel module files. */
@Command(name = "module",
        mixinStandardHelpOptions = true,
        description = "Kernel module (.ko) files.",
        subcommands = {ModuleInspectCommand.class})
public final class ModuleCommand implements Runnable {
    @Spec CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "missing subcommand; see 'klpfleet module --help'");
    }
}
