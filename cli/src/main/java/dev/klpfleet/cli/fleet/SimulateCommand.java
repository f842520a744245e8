package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.simulate.SimResult;
import dev.klpfleet.server.simulate.SimScenario;
import dev.klpfleet.server.simulate.Simulator;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "simulate", mixinStandardHelpOptions = true,
        description = {"Run the server's rollout decision core against simulated hosts in virtual time (docs/SIMULATE.md):",
                "time to 50/90/99/100 % applied, exposure to a bad patch before the halt, decisions by kind."})
public final class SimulateCommand implements Callable<Integer> {

    @Mixin Output output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--scenario", description = "Scenario file (JSON; docs/scenarios/). Default: a good patch over the default fleet.") Path scenario;
    @Option(names = "--hosts", description = "Override the scenario's host count (default 1000000).") Integer hosts;
    @Option(names = "--seed", defaultValue = "1", description = "Random seed (default ${DEFAULT-VALUE}); the same seed gives the same result.") long seed;
    @Option(names = "--compare", arity = "1..*", description = "Plan files (JSON, as 'rollout create' takes a plan): run the same fleet and patch under each.")
    List<Path> compare = List.of();
    @Option(names = "--timeline", description = "Write per-wave counts over time as CSV to this file (the first run's, with --compare).") Path timeline;

    /** The --json document: one result per plan run. */
    public record Results(List<SimResult> runs) {}

    @Override
    public Integer call() throws IOException {
        SimScenario base = scenario == null ? SimScenario.defaults() : read(scenario, SimScenario.class);
        if (hosts != null) {
            base = new SimScenario(base.name(), hosts, base.horizon(), base.tick(), base.fleet(), base.patch(), base.plan());
        }
        List<SimScenario> runs = new ArrayList<>();
        if (compare.isEmpty()) {
            runs.add(base);
        }
        for (Path p : compare) {
            Plan plan = read(p, Plan.class);
            runs.add(new SimScenario(base.name() + " / " + p.getFileName(), base.hosts(), base.horizon(), base.tick(), base.fleet(),
                    base.patch(), plan));
        }
        PrintWriter err = spec.commandLine().getErr();
        List<SimResult> results = new ArrayList<>();
        for (SimScenario s : runs) {
            Simulator sim;
            try {
                sim = new Simulator(s, seed);
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.BAD_INPUT, "scenario " + s.name() + ": " + e.getMessage());
            }
            long t0 = System.nanoTime();
            SimResult r = sim.run(line -> {
                err.println("simulate: " + s.name() + ": " + line);
                err.flush();
            });
            err.printf("simulate: %s: done in %.1f s wall%n", s.name(), (System.nanoTime() - t0) / 1e9);
            err.flush();
            if (timeline != null && results.isEmpty()) {
                Files.writeString(timeline, r.timelineCsv());
            }
            results.add(r.withoutTimeline());
        }
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, new Results(results), rs -> rs.runs().forEach(r -> human(out, r)));
        return ExitCodes.OK;
    }

    private static void human(PrintWriter out, SimResult r) {
        out.printf("%s: %d hosts, seed %d, %s after %s (wave %d; canary %d hosts)%n", r.scenario(), r.hosts(), r.seed(), r.status(),
                hours(r.virtualSeconds() / 3600), r.wave() + 1, r.canaryHosts());
        out.printf("  applied: 50%% %s, 90%% %s, 99%% %s, 100%% %s%n", hours(r.hoursTo50()), hours(r.hoursTo90()), hours(r.hoursTo99()),
                hours(r.hoursTo100()));
        out.printf("  exposure: %d hosts ran a bad patch, %.1f host-hours before the halt%n", r.exposedHosts(), r.exposedHostHours());
        if (r.haltHour() != null) {
            out.printf("  halted at %s%s: %s%n", hours(r.haltHour()),
                    r.haltMinutesAfterFirstBad() == null ? "" : String.format(", %.0f s after the first bad outcome", r.haltMinutesAfterFirstBad() * 60),
                    r.haltReason());
        } else if (r.firstBadHour() != null) {
            out.printf("  first bad outcome at %s; never halted%n", hours(r.firstBadHour()));
        }
        out.printf("  decisions: %s%n  phases: %s%n", r.decisions(), r.phases());
    }

    private static String hours(Double h) {
        if (h == null) {
            return "never";
        }
        return h < 1 ? String.format("%.1f min", h * 60) : h < 48 ? String.format("%.1f h", h) : String.format("%.1f days", h / 24);
    }

    private static <T> T read(Path file, Class<T> type) {
        try {
            // The API's own reader (a plan reads as 'rollout create' reads it), refusing unknown fields.
            return dev.klpfleet.server.host.FleetJson.strictReader(type).readValue(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, file + ": " + e.getOriginalMessage().lines().findFirst().orElse("unreadable"));
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.NOT_FOUND, file + ": cannot read: " + e.getMessage());
        }
    }
}
