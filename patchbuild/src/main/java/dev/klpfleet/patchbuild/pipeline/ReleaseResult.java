package dev.klpfleet.patchbuild.pipeline;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.klpfleet.protocol.artifact.LintVerdict;
import java.util.List;

/**
 * What building for one release produced; {@code build.json} lists one per release.
 *
 * @param release    the release
 * @param status     how it ended
 * @param detail     one line: the first compiler error, the failing lints, or what was written
 * @param directory  the release's output directory
 * @param module     the module file name, or null when nothing was built
 * @param sha256     the module's SHA-256, or null
 * @param lints      the lint verdicts (empty when nothing was built)
 * @param compileMillis wall time of the compile
 * @param lintMillis    wall time of inspection and lints
 */
public record ReleaseResult(String release, Status status, String detail, String directory, String module, String sha256,
                            List<LintVerdict> lints, long compileMillis, long lintMillis) {

    public enum Status {
        /** Built, every lint passed or only warned, and signed. */
        @JsonProperty("signed") SIGNED,
        /** Built and linted clean, not signed because no key was given. */
        @JsonProperty("unsigned") UNSIGNED,
        /** Built, but a lint failed: module and manifest written, not signed. */
        @JsonProperty("lint-failed") LINT_FAILED,
        /** The back-end failed; build.log has its output. */
        @JsonProperty("compile-failed") COMPILE_FAILED,
        /** The build host failed (I/O error, unreadable module); detail says how. */
        @JsonProperty("error") ERROR
    }

    public ReleaseResult {
        lints = List.copyOf(lints);
    }

    public boolean built() {
        return status == Status.SIGNED || status == Status.UNSIGNED;
    }
}
