package dev.klpfleet.cli;

import picocli.CommandLine;

/** Turns failures into one line on stderr and a distinct exit code, never a stack trace (unless KLPFLEET_DEBUG is set). */
final class OneLineErrors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {

    @Override
    public int handleExecutionException(Exception ex, CommandLine cl, CommandLine.ParseResult parsed) {
        if (System.getenv("KLPFLEET_DEBUG") != null) {
            ex.printStackTrace(cl.getErr());
        }
        if (ex instanceof CommandFailure f) {
            cl.getErr().println("klpfleet: " + f.getMessage());
            return f.exitCode();
        }
        cl.getErr().println("klpfleet: " + ex.getClass().getSimpleName() + ": " + ex.getMessage());
        return ExitCodes.INTERNAL;
    }

    @Override
    public int handleParseException(CommandLine.ParameterException ex, String[] args) {
        CommandLine cl = ex.getCommandLine();
        String hint = "see '" + cl.getCommandSpec().qualifiedName() + " --help'";
        cl.getErr().println("klpfleet: " + ex.getMessage() + (ex.getMessage().contains("--help") ? "" : "; " + hint));
        return ExitCodes.USAGE;
    }
}
