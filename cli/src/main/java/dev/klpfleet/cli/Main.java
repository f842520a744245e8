package dev.klpfleet.cli;

import picocli.CommandLine;

/** The only place in klpfleet that exits the process. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs one command line and returns its exit code; tests call this instead of {@link #main}. */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    /** The configured command line: one-line errors and distinct exit codes; tests redirect its out and err. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new KlpfleetCommand());
        OneLineErrors errors = new OneLineErrors();
        cl.setExecutionExceptionHandler(errors);
        cl.setParameterExceptionHandler(errors);
        return cl;
    }
}
