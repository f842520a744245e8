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
        CommandLine cl = new CommandLine(new KlpfleetCommand());
        cl.setExecutionExceptionHandler(new OneLineErrors());
        cl.setParameterExceptionHandler(new OneLineErrors());
        return cl.execute(args);
    }
}
