package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import java.util.List;

/**
 * Loading a livepatch resolves each func and each livepatch relocation with a walk over all of
 * kallsyms. Before 5.17 that walk never rescheduled, so insmod of a patch with hundreds of them
 * hogged a CPU for about a second, starving ksoftirqd (Meta: TCP retransmits, I/O latency); fixed
 * by "livepatch: Avoid CPU hogging with cond_resched" in 5.17.
 */
final class SymbolLookupLint implements Lint {
    static final String ID = "symbol-lookups";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<LintVerdict> check(LintContext c) {
        int lookups = c.symbolLookups();
        String what = lookups + " kallsyms lookups at load (" + (lookups - c.klpRelocations()) + " funcs + "
                + c.klpRelocations() + " livepatch relocations)";
        if (lookups > 0 && c.release().olderThan(5, 17)) {
            return List.of(new LintVerdict(ID, LintLevel.WARN, what + "; " + c.release()
                    + " is older than 5.17, whose lookups run without rescheduling: insmod may hog a CPU"));
        }
        String why = c.release().olderThan(5, 17) ? "nothing to resolve" : c.release() + " reschedules during them (5.17+)";
        return List.of(new LintVerdict(ID, LintLevel.PASS, what + "; " + why));
    }
}
