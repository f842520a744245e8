package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.ObjectSymbols;
import dev.klpfleet.patchbuild.symbols.SymbolCatalog.Lookup;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.ArrayList;
import java.util.List;

/**
 * A lint that judges each replaced func against its object's symbols in the release. Funcs of an
 * object whose symbols are not available are {@code unknown}, with the reason, in one place.
 */
abstract class FuncLint implements Lint {

    @Override
    public final List<LintVerdict> check(LintContext c) {
        List<LintVerdict> out = new ArrayList<>();
        for (PatchedObject o : c.objects()) {
            Lookup l = c.symbols().symbols(o.name());
            for (PatchedFunc f : o.funcs()) {
                String subject = o.name() + ":" + f.name();
                if (l instanceof Lookup.Missing m) {
                    out.add(new LintVerdict(id(), LintLevel.UNKNOWN, subject + ": " + m.reason()));
                } else {
                    check(c, o, f, ((Lookup.Found) l).symbols(), subject, out);
                }
            }
        }
        return out;
    }

    /**
     * Adds at most one verdict for {@code f}, named {@code subject} ({@code object:func}); adds
     * none when another lint owns the problem (a missing symbol is symbol-exists's).
     */
    abstract void check(LintContext c, PatchedObject o, PatchedFunc f, ObjectSymbols symbols, String subject,
                        List<LintVerdict> out);
}
