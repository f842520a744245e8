package dev.klpfleet.patchbuild.lint;

import dev.klpfleet.patchbuild.symbols.ModulesIndex;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.util.ArrayList;
import java.util.List;

/**
 * The kernel matches {@code klp_object.name} against {@code mod->name} with {@code strcmp}
 * (kernel/livepatch/core.c, {@code klp_find_object_module}), and kbuild names every module with
 * '_' where its file has '-'. An object spelt {@code abc-xyz} therefore never matches module
 * {@code abc_xyz}: the patch loads, looks applied, and patches nothing in that module.
 */
final class ObjectNameLint implements Lint {
    static final String ID = "object-name";

    @Override
    public String id() {
        return ID;
    }

    @Override
    public List<LintVerdict> check(LintContext c) {
        List<LintVerdict> out = new ArrayList<>();
        for (PatchedObject o : c.objects()) {
            if (o.isVmlinux()) {
                continue;
            }
            String kernelName = ModulesIndex.kernelName(o.name());
            if (!kernelName.equals(o.name())) {
                out.add(new LintVerdict(ID, LintLevel.FAIL, o.name() + ": never matches; the kernel names this module '"
                        + kernelName + "' ('-' becomes '_'), so the patch would look applied and patch nothing in it"));
            } else {
                out.add(new LintVerdict(ID, LintLevel.PASS, o.name() + ": spelt as the kernel names modules"));
            }
        }
        return out;
    }
}
