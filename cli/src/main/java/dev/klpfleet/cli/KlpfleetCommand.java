package dev.klpfleet.cli;

import java.util.List;
import picocli.CommandLine.Command;

@Command(name = "klpfleet",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Build, deploy and monitor Linux kernel live patches.")
public final class KlpfleetCommand implements Runnable {
    /**
     * Every top-level command, in help order. {@link Main} registers only the one a command line
     * names (all of them for help): picocli reflects over every class it registers, and under
     * qemu's software CPU each loaded class costs milliseconds on every run.
     */
    static final List<Class<?>> COMMANDS = List.of(
            dev.klpfleet.cli.kernel.KernelCommand.class,
            dev.klpfleet.cli.module.ModuleCommand.class,
            dev.klpfleet.cli.build.BuildCommand.class,
            dev.klpfleet.cli.build.KeysCommand.class,
            dev.klpfleet.cli.build.VerifyCommand.class,
            dev.klpfleet.cli.fleet.ServerCommand.class,
            dev.klpfleet.cli.fleet.HostsCommand.class,
            dev.klpfleet.cli.fleet.TokensCommand.class,
            dev.klpfleet.cli.fleet.PatchCommand.class,
            dev.klpfleet.cli.fleet.RolloutCommand.class,
            dev.klpfleet.cli.fleet.ReportCommand.class,
            dev.klpfleet.cli.fleet.CvesCommand.class,
            dev.klpfleet.cli.fleet.BenchCommand.class,
            dev.klpfleet.cli.fleet.SimulateCommand.class,
            dev.klpfleet.cli.agent.AgentCommand.class);

    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command; see 'klpfleet --help'");
    }
}
