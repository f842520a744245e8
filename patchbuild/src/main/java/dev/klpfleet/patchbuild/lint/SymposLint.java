package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.KernelSymbol;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code klp_find_object_symbol()} counts every symbol of the func's name in kallsyms order: with
 * {@code old_sympos} 0 and more than one match it refuses the patch ("unresolvable ambiguity for
 * symbol"), and a sympos past the last match is "not found". Several local ({@code t})
 * definitions of one name are common (static helpers in different files).
 */
final class SymposLint extends FuncLint {
    static final String ID = "sympos";

    @Override
    public String id() {
        return ID;
    }

    @Override
    void check(LintContext c, PatchedObject o, PatchedFunc f, ObjectSymbols symbols, String subject, List<LintVerdict> out) {
        List<KernelSymbol> named = symbols.named(f.name());
        int n = named.size();
        if (n == 0) {
            return; // symbol-exists reports it
        }
        if (f.sympos() > n) {
            out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": sympos " + f.sympos() + " but " + c.release()
                    + " has " + n + " symbol(s) of that name; the kernel will not find it"));
        } else if (n > 1 && f.sympos() == 0) {
            out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": " + n + " definitions in " + c.release()
                    + " (kallsyms order: " + listing(named) + ") and no sympos; set old_sympos to 1.." + n
                    + " or the kernel refuses it as an unresolvable ambiguity"));
        } else if (n > 1) {
            out.add(new LintVerdict(ID, LintLevel.PASS, subject + ": sympos " + f.sympos() + " picks "
                    + listing(List.of(named.get(f.sympos() - 1))) + " of " + n + " definitions"));
        } else {
            out.add(new LintVerdict(ID, LintLevel.PASS, subject + ": unique in " + c.release()));
        }
    }

    private static String listing(List<KernelSymbol> symbols) {
        return symbols.stream().map(s -> s.type() + "@" + Long.toHexString(s.address())).collect(Collectors.joining(", "));
    }
}
