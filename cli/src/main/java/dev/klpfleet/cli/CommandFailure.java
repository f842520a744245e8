package dev.klpfleet.cli;

/** Thrown by a command to end with a one-line message and a specific exit code from {@link ExitCodes}. */
public final class CommandFailure extends RuntimeException {
    private final int exitCode;

    public CommandFailure(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
