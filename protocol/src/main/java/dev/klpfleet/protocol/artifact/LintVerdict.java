package dev.klpfleet.protocol.artifact;

import java.util.Objects;

/**
 * One lint's verdict for one release.
 *
 * @param lint   the lint's stable id, e.g. {@code symbol-exists} (docs/ARTIFACTS.md lists them)
 * @param level  pass, warn, fail or unknown
 * @param reason one sentence a person can act on
 */
public record LintVerdict(String lint, LintLevel level, String reason) {
    public LintVerdict {
        Objects.requireNonNull(lint, "lint");
        Objects.requireNonNull(level, "level");
        Objects.requireNonNull(reason, "reason");
    }
}
