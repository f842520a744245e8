package dev.klpfleet.cli.agent;

import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.cli.ExitCodes;
import java.io.PrintWriter;
import java.util.Set;

/** The agent's human output and its exit codes. */
final class AgentReport {
    /** Results that mean a step did what it should. */
    private static final Set<String> GOOD = Set.of("applied", "unloaded", "forgotten", "taint", "cleared");

    private AgentReport() {}

    static int exitCode(OnceReport r) {
        if (r.error() != null) {
            return switch (r.error()) {
                case "unreachable", "server", "throttled", "unexpected" -> ExitCodes.UNREACHABLE;
                case "denied" -> ExitCodes.DENIED;
                case "rejected" -> ExitCodes.BAD_INPUT;
                case "not-enrolled" -> ExitCodes.NOT_ENROLLED;
                default -> ExitCodes.INTERNAL;
            };
        }
        if (r.steps().stream().anyMatch(a -> !GOOD.contains(a.result()))) {
            return ExitCodes.AGENT_STEP_FAILED;
        }
        return r.outcome().equals("idle") ? ExitCodes.OK : ExitCodes.AGENT_UNFINISHED;
    }

    static void printOnce(PrintWriter out, OnceReport r) {
        if (r.enrolled()) {
            out.println("enrolled as host " + r.hostId());
        }
        if (r.steps().isEmpty()) {
            out.println("no steps: the kernel already matches the desired set");
        }
        r.steps().forEach(a -> printAction(out, a));
        if (r.droppedEvents() > 0) {
            out.printf("%d event%s refused for good by the server and dropped (see the report lines)%n", r.droppedEvents(),
                    r.droppedEvents() == 1 ? "" : "s");
        }
        out.printf("%s after %d pass%s: %s%n", switch (r.outcome()) {
            case "idle" -> "DONE";
            case "failed" -> "FAILED";
            default -> "UNFINISHED";
        }, r.passes(), r.passes() == 1 ? "" : "es", r.detail());
    }

    static void printPass(PrintWriter out, Pass p) {
        p.actions().forEach(a -> printAction(out, a));
        if (p.outcome() != dev.klpfleet.agent.reconcile.Requeue.Outcome.STEPPED) {
            out.printf("%s: %s; next pass in %d s%n", p.outcome().name().toLowerCase(java.util.Locale.ROOT), p.detail(), p.next().toSeconds());
        }
    }

    private static void printAction(PrintWriter out, Action a) {
        String what = a.patch() == null ? "" : a.patch() + " " + a.version();
        out.printf("%-7s %-28s %-16s %s%n", a.action(), what, a.result().toUpperCase(java.util.Locale.ROOT), a.message());
    }
}
