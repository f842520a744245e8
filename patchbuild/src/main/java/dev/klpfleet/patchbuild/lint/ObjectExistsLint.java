package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.ModulesIndex;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Each patched module must exist in the release as a loadable module. A module built into
 * vmlinux in that release never "loads", so a patch naming it waits forever and patches nothing:
 * its funcs belong under the vmlinux (NULL) object there.
 */
final class ObjectExistsLint implements Lint {
    static final String ID = "object-exists";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<LintVerdict> check(LintContext c) {
        List<LintVerdict> out = new ArrayList<>();
        for (PatchedObject o : c.objects()) {
            if (o.isVmlinux()) {
                out.add(new LintVerdict(ID, LintLevel.PASS, "vmlinux: the kernel image is always present"));
                continue;
            }
            Optional<ModulesIndex> index = c.symbols().modules();
            if (index.isEmpty()) {
                out.add(new LintVerdict(ID, LintLevel.UNKNOWN,
                        o.name() + ": no /lib/modules/" + c.release() + "/modules.dep on this host and no captured modules.dep-"
                                + c.release() + " in --symbols to look it up"));
                continue;
            }
            Optional<ModulesIndex.Entry> e = index.get().find(o.name());
            if (e.isEmpty()) {
                out.add(new LintVerdict(ID, LintLevel.FAIL, o.name() + ": no such module in " + c.release()
                        + " (modules.dep, modules.builtin); the patch would wait for it forever"));
            } else if (e.get().builtin()) {
                out.add(new LintVerdict(ID, LintLevel.FAIL, o.name() + ": built into vmlinux in " + c.release()
                        + "; a module object never loads there, name its funcs under vmlinux (NULL object)"));
            } else {
                out.add(new LintVerdict(ID, LintLevel.PASS, o.name() + ": loadable module " + e.get().fileName()));
            }
        }
        return out;
    }
}
