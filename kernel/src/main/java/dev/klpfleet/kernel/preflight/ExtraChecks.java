package dev.klpfleet.kernel.preflight;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.module.ModuleInspection;
import java.util.List;

/** Checks on the kernel's tracing and taint state; filled in from the tracing and taint readers. */
final class ExtraChecks {
    private ExtraChecks() {}

    static List<Check> all(KernelRoot root, ModuleInspection module) {
        return List.of();
    }
}
