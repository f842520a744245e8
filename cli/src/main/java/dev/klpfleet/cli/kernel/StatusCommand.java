package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.livepatch.KlpFunc;
import dev.klpfleet.kernel.livepatch.KlpObject;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "status", description = "Kernel release, livepatch support, taint, and every loaded patch with its objects and functions.")
final class StatusCommand implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, KernelStatus.read(kernel.root()), s -> print(out, s));
        return 0;
    }

    static void print(PrintWriter out, KernelStatus s) {
        out.printf("kernel    %s%n", s.kernelRelease());
        out.printf("livepatch %s%n", s.livepatchSupported() ? "supported" : "NOT SUPPORTED (no /sys/kernel/livepatch)");
        if (s.taint() == null) {
            out.println("taint     unknown");
        } else if (s.taint().value() == 0) {
            out.println("taint     0 (clean)");
        } else {
            out.printf("taint     %d %s%n", s.taint().value(), KernelStatus.letters(s.taint()));
            s.taint().flags().forEach(f -> out.printf("          %s %s%s%n", f.letter(), f.meaning(), f.gate().equals("bad") ? "  <-- BAD" : ""));
        }
        if (!s.inertModules().isEmpty()) {
            out.printf("inert     %s (livepatch modules whose patch is gone; remove with rmmod)%n", String.join(", ", s.inertModules()));
        }
        if (s.patches().isEmpty()) {
            out.println("patches   none loaded");
            return;
        }
        out.printf("%npatches   %d loaded%n", s.patches().size());
        for (KlpPatch p : s.patches()) {
            out.printf("  %s  %s%s%s%s%n", p.name(),
                    p.enabled() ? "enabled" : "DISABLED",
                    p.transition() ? "  IN TRANSITION (" + (p.enabled() ? "patching" : "unpatching") + ")" : "",
                    p.replace().map(r -> r ? "  replace" : "").orElse(""),
                    p.stackOrder().isPresent() ? "  stack_order " + p.stackOrder().getAsInt() : "");
            for (KlpObject o : p.objects()) {
                out.printf("    %s%s%n", o.name(), o.patched().map(x -> x ? "  patched" : "  not patched (not loaded)").orElse(""));
                for (KlpFunc f : o.funcs()) {
                    out.printf("      %s,%d%n", f.name(), f.sympos());
                }
            }
        }
        if (s.patches().stream().anyMatch(KlpPatch::transition)) {
            out.println("\na transition is in progress: 'klpfleet kernel blockers' shows what holds it up");
        }
    }
}
