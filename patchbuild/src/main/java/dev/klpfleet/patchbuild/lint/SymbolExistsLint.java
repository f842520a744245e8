package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.KernelSymbol;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.List;

/**
 * Each replaced function must be a function symbol of its object in this release; otherwise
 * {@code klp_enable_patch()} fails with "symbol '...' not found in symbol table". When only
 * gcc-derived clones exist ({@code name.isra.0}), the function was specialised or inlined and
 * the verdict names the clones.
 */
final class SymbolExistsLint extends FuncLint {
    static final String ID = "symbol-exists";

    @Override
    public String id() {
        return ID;
    }

    @Override
    void check(LintContext c, PatchedObject o, PatchedFunc f, ObjectSymbols symbols, String subject, List<LintVerdict> out) {
        List<KernelSymbol> named = symbols.named(f.name());
        if (named.isEmpty()) {
            List<String> clones = symbols.compilerVariantsOf(f.name());
            String hint = clones.isEmpty() ? "renamed, removed or always inlined"
                    : "only compiler clones exist (" + String.join(", ", clones) + "): it was specialised or inlined";
            out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": not in " + c.release() + "'s symbols; " + hint));
        } else if (named.stream().noneMatch(KernelSymbol::isText)) {
            out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": is data (type " + named.get(0).type()
                    + ") in " + c.release() + ", not a function"));
        } else {
            out.add(new LintVerdict(ID, LintLevel.PASS, subject + ": function present in " + c.release()));
        }
    }
}
