package dev.klpfleet.cli;

import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The only place in klpfleet that exits the process. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        return commandLine(args).execute(args);
    }

    /** The configured command line with every command: one-line errors and distinct exit codes. */
    public static CommandLine commandLine() {
        return build(KlpfleetCommand.COMMANDS);
    }

    /**
     * The configured command line for {@code args}: only the top-level command they name is
     * registered (cheaper to start), every command when they name none (help, usage errors).
     */
    public static CommandLine commandLine(String... args) {
        if (args.length > 0) {
            for (Class<?> c : KlpfleetCommand.COMMANDS) {
                if (c.getAnnotation(Command.class).name().equals(args[0])) {
                    return build(List.of(c));
                }
            }
        }
        return commandLine();
    }

    private static CommandLine build(List<Class<?>> commands) {
        CommandLine cl = new CommandLine(new KlpfleetCommand());
        commands.forEach(cl::addSubcommand);
        OneLineErrors errors = new OneLineErrors();
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        return cl;
    }
}
