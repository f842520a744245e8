package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.task.Tasks;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.kernel.transition.BlockerFinder;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "blockers", description = "The tasks holding up the transition in progress, with where they sleep.")
final class BlockersCommand implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin Output output;
    @Spec CommandSpec spec;

    /**
     * @param patch      the patch in transition
     * @param target     {@code patched} or {@code unpatched}: where the transition is going
     * @param blockers   the tasks not yet switched
     */
    record TransitionBlockers(String patch, String target, List<Blocker> blockers) {}

    @Override
    public Integer call() {
        LivepatchSysfs sysfs = new LivepatchSysfs(kernel.root());
        BlockerFinder finder = new BlockerFinder(new Tasks(kernel.root()));
        List<TransitionBlockers> all = sysfs.patches().stream().filter(KlpPatch::transition)
                .map(p -> new TransitionBlockers(p.name(), p.enabled() ? "patched" : "unpatched", finder.blockers(p)))
                .toList();
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, all, a -> print(out, a));
        return 0;
    }

    static void print(PrintWriter out, List<TransitionBlockers> all) {
        if (all.isEmpty()) {
            out.println("no transition in progress");
            return;
        }
        for (TransitionBlockers t : all) {
            out.printf("%s: transition to %s held up by %d task(s)%n", t.patch(), t.target(), t.blockers().size());
            printBlockers(out, t.blockers());
        }
    }

    static void printBlockers(PrintWriter out, List<Blocker> blockers) {
        for (Blocker b : blockers) {
            out.printf("  pid %d tid %d %s%s  patch_state %s%s%n", b.pid(), b.tid(), b.comm(), b.kthread() ? " (kernel thread)" : "",
                    b.patchState(), b.functions().isEmpty() ? "" : "  sleeping in " + String.join(", ", b.functions()));
            b.stack().stream().limit(8).forEach(f -> out.printf("      %s%n", f));
        }
    }
}
