package dev.klpfleet.cli;

import picocli.CommandLine.Command;

@Command(name = "klpfleet",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Build, deploy and monitor Linux kernel live patches.",
        subcommands = {
                dev.klpfleet.cli.fleet.ServerCommand.class,
                dev.klpfleet.cli.fleet.HostsCommand.class,
                dev.klpfleet.cli.fleet.PatchCommand.class,
                dev.klpfleet.cli.fleet.RolloutCommand.class,
                dev.klpfleet.cli.fleet.BenchCommand.class,
                dev.klpfleet.cli.agent.AgentCommand.class,

                dev.klpfleet.cli.kernel.KernelCommand.class,
                dev.klpfleet.cli.module.ModuleCommand.class,
                dev.klpfleet.cli.build.BuildCommand.class,
                dev.klpfleet.cli.build.KeysCommand.class,
                dev.klpfleet.cli.build.VerifyCommand.class,
        })
public final class KlpfleetCommand implements Runnable {
    @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "missing command; see 'klpfleet --help'");
    }
}
