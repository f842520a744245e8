package dev.klpfleet.patchbuild.process;

import java.time.Duration;

/**
 * How an external command ended.
 *
 * @param exitCode its exit status, or -1 when it was killed for running past its timeout
 * @param output   stdout and stderr interleaved, as a terminal would show them (UTF-8, lossy)
 * @param timedOut whether it was killed at the timeout
 * @param elapsed  wall time from start to exit
 */
public record ProcessResult(int exitCode, String output, boolean timedOut, Duration elapsed) {
    public boolean succeeded() {
        return exitCode == 0 && !timedOut;
    }
}
