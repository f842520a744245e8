package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.load.Timings;
import dev.klpfleet.kernel.preflight.Verdict;
import java.io.PrintWriter;

/** The human form of a load or unload result, and its exit code. */
final class LoadReport {
    private LoadReport() {}

    static int exitCode(Result r) {
        return switch (r) {
            case APPLIED, UNLOADED -> ExitCodes.OK;
            case REFUSED -> ExitCodes.REFUSED;
            case LOAD_FAILED -> ExitCodes.LOAD_FAILED;
            case STALLED_REVERTED -> ExitCodes.STALLED_REVERTED;
            case STALLED_WAITING -> ExitCodes.STALLED_WAITING;
            case REVERT_STALLED, DISABLE_FAILED, RMMOD_FAILED -> ExitCodes.STUCK;
            case NOT_LOADED -> ExitCodes.NOT_FOUND;
        };
    }

    static void print(PrintWriter out, LoadResult r) {
        out.printf("%s: %s%n", r.result().toString().toUpperCase(java.util.Locale.ROOT), r.message());
        if (r.preflight().stream().anyMatch(c -> c.verdict() != Verdict.PASS)) {
            out.println("preflight:");
            PreflightCommand.printChecks(out, r.preflight().stream().filter(c -> c.verdict() != Verdict.PASS).toList());
        }
        if (!r.blockers().isEmpty()) {
            out.println("blocked by:");
            BlockersCommand.printBlockers(out, r.blockers());
        }
        if (!r.replaced().isEmpty()) {
            out.println("replaced:  " + String.join(", ", r.replaced()));
        }
        Timings t = r.timings();
        out.printf("timings:   %s%n", String.join("  ",
                part("insmod", t.insmodMs()), part("insmod cpu", t.insmodCpuMs()), part("transition", t.transitionMs()),
                part("detected after", t.detectionLagMs()), part("revert", t.revertMs()), part("total", t.totalMs())).trim());
        if (r.impact() != null) {
            impact(out, "insmod", r.impact().insmod());
            impact(out, "transition", r.impact().transition());
        }
        if (!r.kernelLog().isEmpty()) {
            out.println("kernel log:");
            r.kernelLog().forEach(l -> out.println("  " + l));
        }
    }

    private static void impact(PrintWriter out, String phase, ImpactDelta d) {
        out.printf("impact:    %-10s %d ms: ksoftirqd delay max %.1f ms total %.1f ms%s%s%s%n", phase, d.elapsed().toMillis(),
                d.ksoftirqdMaxDelayNanos() / 1e6, d.ksoftirqdTotalDelayNanos() / 1e6,
                d.retransSegs().isPresent() ? ", retransmits +" + d.retransSegs().getAsLong() : "",
                d.cpuSomeMicros().isPresent() ? ", cpu pressure +" + d.cpuSomeMicros().getAsLong() / 1000 + " ms" : "",
                d.ioSomeMicros().isPresent() ? ", io pressure +" + d.ioSomeMicros().getAsLong() / 1000 + " ms" : "");
    }

    private static String part(String label, Long ms) {
        return ms == null ? "" : label + " " + ms + " ms";
    }
}
