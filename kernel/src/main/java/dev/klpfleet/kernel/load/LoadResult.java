package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.preflight.Check;
import dev.klpfleet.kernel.transition.Blocker;
import java.util.List;

/**
 * The outcome of one {@code klpfleet kernel load} or {@code unload}, with its evidence. This is
 * what a host reports to the control plane, so every field is stable (docs/CLI.md).
 *
 * @param result        how it ended
 * @param patch         the patch (= module) name
 * @param module        the {@code .ko} file loaded; null for an unload
 * @param sha256        the file's SHA-256; null for an unload
 * @param kernelRelease the running kernel
 * @param message       one line for a person: what happened and what to do
 * @param preflight     every preflight check (empty for an unload or an already applied patch)
 * @param timings       where the time went
 * @param blockers      the tasks that held up a stalled transition, with their stacks
 * @param replaced      patches an atomic replace superseded (their modules removed unless kept)
 * @param kernelLog     the kernel log lines written during this operation
 * @param impact        what the operation cost the host (ksoftirqd delay, retransmits, pressure); null if it never touched the kernel
 * @param advice        what this kernel's version says about a stall, one line each: a CPU-bound kernel thread
 *                      before 6.4 and its kernel fix, the {@code signal} written before 5.1; empty otherwise
 */
public record LoadResult(Result result, String patch, String module, String sha256, String kernelRelease,
                         String message, List<Check> preflight, Timings timings, List<Blocker> blockers,
                         List<String> replaced, List<String> kernelLog, Impact impact, List<String> advice) {
    public LoadResult {
        preflight = List.copyOf(preflight);
        blockers = List.copyOf(blockers);
        replaced = List.copyOf(replaced);
        kernelLog = List.copyOf(kernelLog);
        advice = advice == null ? List.of() : List.copyOf(advice);
    }

    public LoadResult(Result result, String patch, String module, String sha256, String kernelRelease,
                      String message, List<Check> preflight, Timings timings, List<Blocker> blockers,
                      List<String> replaced, List<String> kernelLog, Impact impact) {
        this(result, patch, module, sha256, kernelRelease, message, preflight, timings, blockers, replaced, kernelLog, impact, List.of());
    }
}
