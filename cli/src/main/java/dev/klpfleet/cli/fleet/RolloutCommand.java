package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.api.Api;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.RolloutRequest;
import dev.klpfleet.server.rollout.RolloutView;
import dev.klpfleet.server.rollout.core.Wave;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "rollout", mixinStandardHelpOptions = true, description = "Staged rollouts of a patch version.",
        subcommands = {RolloutCommand.Create.class, RolloutCommand.Status.class, RolloutCommand.Watch.class,
                RolloutCommand.Pause.class, RolloutCommand.Resume.class, RolloutCommand.Abort.class,
                RolloutCommand.Promote.class, RolloutCommand.Rollback.class})
public final class RolloutCommand {

    @Command(name = "create", mixinStandardHelpOptions = true, description = "Start rolling a patch version out in waves.")
    static final class Create implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--patch", required = true) String patch;
        @Option(names = "--version", required = true, description = "Patch version.") String version;
        @Option(names = "--label", description = "Only hosts with this KEY=VALUE binding label, set by their enrollment token (repeatable, all must match).") List<String> labels = new ArrayList<>();
        @Option(names = "--host-label", description = "Only hosts that claimed this KEY=VALUE label themselves when enrolling (repeatable; "
                + "a host chooses these, so select on them only if you trust the hosts).") List<String> hostLabels = new ArrayList<>();
        @Option(names = "--kernel", description = "Only hosts on this kernel release (repeatable).") List<String> kernels = new ArrayList<>();
        @Option(names = "--waves", defaultValue = "1,1%,10%,50%,100%",
                description = "Comma-separated waves: N (hosts), N% (cumulative share), or KEY=VALUE (label). Default ${DEFAULT-VALUE}.")
        String waves;
        @Option(names = "--soak", defaultValue = "PT30M", description = "Soak per wave, ISO-8601 (default ${DEFAULT-VALUE}).") String soak;
        @Option(names = "--max-concurrent", defaultValue = "50", description = "Hosts applying at once (default ${DEFAULT-VALUE}).") int maxConcurrent;
        @Option(names = "--max-failure-rate", defaultValue = "0", description = "Tolerated share of failed applies, 0..1.") double maxFailureRate;
        @Option(names = "--max-stall-rate", defaultValue = "0", description = "Tolerated share of stalled transitions, 0..1.") double maxStallRate;
        @Option(names = "--silence", defaultValue = "PT10M", description = "A host silent this long after being told to apply trips the gates.") String silence;
        @Option(names = "--impact-max", description = {"PHASE.FIELD=MAX: trip when a host's evidence impact.PHASE.FIELD exceeds MAX (repeatable),",
                "e.g. insmod.ksoftirqdMaxDelayNanos=2000000; PHASE is insmod or transition (docs/CLI.md lists the fields)."}) Map<String, Double> impactMax = new LinkedHashMap<>();
        @Option(names = "--on-gate", defaultValue = "pause", description = "What a tripped gate does: pause or rollback.") String onGate;
        @Option(names = "--stall-attempts", defaultValue = "1", description = {"Attempts a host gets when its transition stalls and is reversed",
                "(default ${DEFAULT-VALUE}: no retry); only a host whose attempts are exhausted counts as stalled."}) int stallAttempts;
        @Option(names = "--stall-retry-after", defaultValue = "PT5M", description = {"Wait before a host's second attempt, ISO-8601 (default ${DEFAULT-VALUE});",
                "doubled before each later one, plus up to half of it as jitter."}) String stallRetryAfter;

        @Override
        public void run() {
            Plan plan;
            try {
                plan = new Plan(parseWaves(waves), Duration.parse(soak), maxConcurrent, new Gates(maxFailureRate, maxStallRate,
                        Duration.parse(silence), impactMax, Gates.Action.valueOf(onGate.toUpperCase())), stallAttempts,
                        Duration.parse(stallRetryAfter));
            } catch (DateTimeParseException e) {
                throw new CommandFailure(ExitCodes.USAGE, "durations are ISO-8601, e.g. PT30M: " + e.getParsedString());
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE, "--on-gate must be pause or rollback");
            }
            String problem = plan.problem();
            if (problem != null) {
                throw new CommandFailure(ExitCodes.USAGE, problem);
            }
            Map<String, String> sel = pairs(labels, "--label");
            var client = remote.client();
            RolloutView v = Remote.call(() -> client.post("api/v1/rollouts",
                    new RolloutRequest(patch, version, new RolloutRequest.Selector(sel, pairs(hostLabels, "--host-label"), kernels), plan)))
                    .as(RolloutView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, v, x -> Progress.print(out, x, false));
        }
    }

    /** KEY=VALUE options as a map. */
    static Map<String, String> pairs(List<String> options, String option) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String l : options) {
            String[] kv = l.split("=", 2);
            if (kv.length != 2) {
                throw new CommandFailure(ExitCodes.USAGE, option + " must be KEY=VALUE (got '" + l + "')");
            }
            out.put(kv[0], kv[1]);
        }
        return out;
    }

    /** Waves from {@code N,N%,KEY=VALUE}; a name that repeats gets its position appended (wave names must be unique). */
    static List<Wave> parseWaves(String spec) {
        List<Wave> out = new ArrayList<>();
        java.util.Set<String> names = new java.util.HashSet<>();
        for (String w : spec.split(",")) {
            String t = w.trim();
            try {
                if (t.endsWith("%")) {
                    out.add(Wave.percent(t, Double.parseDouble(t.substring(0, t.length() - 1))));
                } else if (t.contains("=")) {
                    out.add(Wave.label(t, t));
                } else {
                    int n = Integer.parseInt(t);
                    out.add(Wave.count(out.isEmpty() && n == 1 ? "canary" : n + " hosts", n));
                }
            } catch (NumberFormatException e) {
                throw new CommandFailure(ExitCodes.USAGE, "--waves: '" + t + "' is not N, N% or KEY=VALUE");
            }
            Wave last = out.get(out.size() - 1);
            if (!names.add(last.name())) {
                String unique = last.name() + " #" + out.size();
                names.add(unique);
                out.set(out.size() - 1, new Wave(unique, last.kind(), last.count(), last.percent(), last.label()));
            }
        }
        return out;
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "A rollout's progress per wave and its decisions.")
    static final class Status implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ROLLOUT") String id;

        @Override
        public void run() {
            var client = remote.client();
            RolloutView v = Remote.call(() -> client.get("api/v1/rollouts/" + id)).as(RolloutView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, v, x -> Progress.print(out, x, true));
        }
    }

    @Command(name = "watch", mixinStandardHelpOptions = true, description = {"Follow a rollout live until it has stopped and no host is still applying or rolling back, or --for elapses.",
            "On a terminal the display is redrawn in place; otherwise each change is printed after the previous one; --json prints one JSON line per change."})
    static final class Watch implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ROLLOUT") String id;
        @Option(names = "--interval", defaultValue = "PT2S", description = "Refresh interval (default ${DEFAULT-VALUE}).") String interval;
        @Option(names = "--for", defaultValue = "PT24H", description = "Stop watching after this long (default ${DEFAULT-VALUE}).") String limit;

        @Override
        public void run() {
            Duration every = Duration.parse(interval);
            long deadline = System.nanoTime() + Duration.parse(limit).toNanos();
            var client = remote.client();
            PrintWriter out = spec.commandLine().getOut();
            boolean tty = System.console() != null && !output.json();
            long lastRevision = -1;
            while (true) {
                RolloutView v = Remote.call(() -> client.get("api/v1/rollouts/" + id)).as(RolloutView.class);
                if (v.revision() != lastRevision) {
                    lastRevision = v.revision();
                    if (tty) {
                        out.print("\033[H\033[2J");
                    }
                    if (output.json()) {
                        // One compact document per line (JSON Lines), so a consumer can act on each change as it comes.
                        out.println(compact(v));
                        out.flush();
                    } else {
                        Progress.print(out, v, false);
                        out.flush();
                    }
                }
                boolean stopped = v.status() != dev.klpfleet.server.rollout.core.Status.RUNNING
                        && v.waves().stream().allMatch(w -> w.applying() == 0 && w.rollingBack() == 0);
                if (stopped || System.nanoTime() > deadline) {
                    return;
                }
                try {
                    Thread.sleep(every.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private static String compact(RolloutView v) {
        try {
            return dev.klpfleet.cli.Json.mapper().writeValueAsString(v);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("cannot render JSON: " + e.getMessage(), e);
        }
    }

    abstract static class Action implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;
        @Parameters(index = "0", paramLabel = "ROLLOUT") String id;
        @Option(names = "--reason", description = "Why; recorded with the decision and in the audit log.") String reason;

        @Override
        public void run() {
            var client = remote.client();
            RolloutView v = Remote.call(() -> client.post("api/v1/rollouts/" + id + "/" + spec.name(), new Api.CommandRequest(reason)))
                    .as(RolloutView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, v, x -> Progress.print(out, x, false));
        }
    }

    @Command(name = "pause", mixinStandardHelpOptions = true, description = "Stop dispatching; hosts keep what they have.")
    static final class Pause extends Action {}

    @Command(name = "resume", mixinStandardHelpOptions = true, description = "Continue a paused rollout; gates count evidence from now on.")
    static final class Resume extends Action {}

    @Command(name = "abort", mixinStandardHelpOptions = true, description = "End the rollout; hosts keep what they applied.")
    static final class Abort extends Action {}

    @Command(name = "promote", mixinStandardHelpOptions = true, description = "Start the next wave now, without waiting for soak.")
    static final class Promote extends Action {}

    @Command(name = "rollback", mixinStandardHelpOptions = true, description = "Drop the patch from every targeted host; agents unload it.")
    static final class Rollback extends Action {}
}
