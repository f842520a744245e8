package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.protocol.artifact.LintVerdict;
import java.util.List;

/**
 * One check of a built patch against one release. A lint never throws for missing data: it
 * says {@code unknown} with what is missing.
 */
public interface Lint {
    /** The stable id written in manifests, e.g. {@code symbol-exists}. */
    String id();

    /** Verdicts for every object or func this lint applies to, in patch order; empty when none applies. */
    List<LintVerdict> check(LintContext context);
}
