package dev.klpfleet.testbench;

/**
 * What one guest command left behind.
 *
 * @param exitCode     the guest command's exit status; {@link #TIMEOUT} when {@code vm-run}
 *                     killed the guest, {@link #NO_STATUS} when the guest ended (panic, failed
 *                     setup) without reporting one
 * @param output       the guest command's stdout and stderr, interleaved as written
 * @param consoleLog   the guest kernel's console (ttyS0): boot messages, oopses, panics
 * @param benchOutput  {@code vm-run}'s own messages (timeouts, setup failures), empty when all went well
 */
public record VmRun(int exitCode, String output, String consoleLog, String benchOutput) {
    /** {@code vm-run}'s exit code when the guest outlived its timeout. */
    public static final int TIMEOUT = 124;
    /** {@code vm-run}'s exit code when the guest ended without reporting the command's status. */
    public static final int NO_STATUS = 125;

    /** Returns whether the guest command exited 0. */
    public boolean succeeded() {
        return exitCode == 0;
    }

    /** Returns whether the guest was killed at its timeout. */
    public boolean timedOut() {
        return exitCode == TIMEOUT;
    }

    /**
     * Returns this run if the guest command exited 0.
     *
     * @throws AssertionError carrying {@link #describe()} otherwise, so a test fails with the guest's story
     */
    public VmRun requireSuccess() {
        if (!succeeded()) {
            throw new AssertionError("guest command failed\n" + describe());
        }
        return this;
    }

    /** Returns exit code, output, bench messages and the console's last lines, for failure messages. */
    public String describe() {
        String[] console = consoleLog.split("\n");
        int from = Math.max(0, console.length - 40);
        return "exit code " + exitCode
                + "\n--- guest output ---\n" + output
                + (benchOutput.isBlank() ? "" : "\n--- vm-run ---\n" + benchOutput)
                + "\n--- kernel console (last " + (console.length - from) + " lines) ---\n"
                + String.join("\n", java.util.Arrays.copyOfRange(console, from, console.length));
    }
}
