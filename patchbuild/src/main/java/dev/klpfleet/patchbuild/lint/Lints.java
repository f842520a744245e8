package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.protocol.artifact.LintVerdict;
import java.util.ArrayList;
import java.util.List;

/** The lints every build runs, in the order they are reported (docs/ARTIFACTS.md, "Lints"). */
public final class Lints {
    private Lints() {}

    public static List<Lint> standard() {
        return List.of(new ObjectExistsLint(), new ObjectNameLint(), new SymbolExistsLint(), new SymposLint(),
                new FtraceLint(), new SymbolLookupLint());
    }

    public static List<LintVerdict> run(List<Lint> lints, LintContext context) {
        List<LintVerdict> out = new ArrayList<>();
        for (Lint l : lints) {
            out.addAll(l.check(context));
        }
        return List.copyOf(out);
    }
}
