package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.KernelSymbol;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols.FtraceSites;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.List;

/**
 * A livepatch redirects a function through its ftrace call site, so a {@code notrace} function
 * cannot be patched ({@code klp_enable_patch()} fails registering the ftrace filter). The data
 * that settles it is: the noinstr/entry/cpuidle/init text bounds in the symbol list (those
 * functions are never traced); the release's {@code available_filter_functions}, captured from it
 * (testbench/capture-symbols) or read on the running kernel, which lists exactly the hookable
 * functions; a shipped module's {@code __mcount_loc}. vmlinux's own {@code __mcount_loc} is not
 * shipped in System.map, so without a captured list a vmlinux function outside those ranges is
 * {@code unknown}.
 */
final class FtraceLint extends FuncLint {
    static final String ID = "ftrace";

    @Override
    public String id() {
        return ID;
    }

    @Override
    void check(LintContext c, PatchedObject o, PatchedFunc f, ObjectSymbols symbols, String subject, List<LintVerdict> out) {
        List<KernelSymbol> text = symbols.named(f.name()).stream().filter(KernelSymbol::isText).toList();
        if (text.isEmpty() || f.sympos() > symbols.named(f.name()).size()) {
            return; // symbol-exists or sympos reports it
        }
        KernelSymbol target = f.sympos() == 0 ? text.get(0) : symbols.named(f.name()).get(f.sympos() - 1);
        var range = o.isVmlinux() ? symbols.notraceRangeOf(target.address()) : java.util.Optional.<ObjectSymbols.NotraceRange>empty();
        if (range.isPresent()) {
            out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": lies in " + range.get().section() + " ("
                    + range.get().why() + "); ftrace, and so livepatch, cannot hook it"));
        } else if (symbols.ftraceSites().isPresent()) {
            var sites = symbols.ftraceSites().get();
            if (sites.functions().contains(f.name())) {
                out.add(new LintVerdict(ID, LintLevel.PASS, subject + ": has an ftrace call site (" + sites.source() + ")"));
            } else if (sites.origin() == FtraceSites.Origin.AVAILABLE_FILTER_FUNCTIONS) {
                out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": not in available_filter_functions: notrace, inlined, "
                        + "or in noinstr text; livepatch cannot hook it (" + sites.source() + ")"));
            } else {
                out.add(new LintVerdict(ID, LintLevel.FAIL, subject + ": no ftrace call site in " + sites.source()
                        + ": notrace, or built without fentry; livepatch cannot hook it"));
            }
        } else {
            String markers = symbols.hasNotraceMarkers() ? "outside the noinstr/entry/init text ranges, but "
                    : "";
            out.add(new LintVerdict(ID, LintLevel.UNKNOWN, subject + ": " + markers + symbols.source()
                    + " does not record ftrace call sites (__mcount_loc is only in vmlinux), so notrace cannot be ruled out;"
                    + " pass --symbols DIR with available_filter_functions-" + c.release()));
        }
    }
}
