package dev.klpfleet.patchbuild.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** How one compile ended. {@code log} is everything the back-end printed, for build.log. */
public sealed interface CompileOutcome {
    String log();

    Duration elapsed();

    /** The command line that ran, empty when the back-end refused the job before running anything. */
    List<String> command();

    /** The back-end produced exactly one module. */
    record Compiled(Path module, List<String> command, String log, Duration elapsed) implements CompileOutcome {}

    /** It did not; {@code reason} is one line, e.g. the first compiler error. */
    record Failed(String reason, List<String> command, String log, Duration elapsed) implements CompileOutcome {}
}
