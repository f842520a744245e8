package dev.klpfleet.cli.kernel;

import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.preflight.Check;
import dev.klpfleet.kernel.preflight.Preflight;
import dev.klpfleet.kernel.preflight.PreflightReport;
import dev.klpfleet.kernel.preflight.Verdict;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "preflight", description = {
        "Check, without loading anything, whether FILE.ko can be applied to the running kernel.",
        "Exit 0 when every check passes or warns, 10 when one fails (15 with --strict and a warning)."})
final class PreflightCommand implements Callable<Integer> {
    @ParentCommand KernelCommand kernel;
    @Mixin Output output;
    @Spec CommandSpec spec;

    @Parameters(paramLabel = "FILE.ko", description = "The livepatch module.")
    Path file;

    @Option(names = "--strict", description = "Exit 15 when a check warns.")
    boolean strict;

    @Override
    public Integer call() {
        ModuleInspection module = ModuleFile.inspect(file);
        PreflightReport report = new Preflight(kernel.root()).check(module);
        PrintWriter out = spec.commandLine().getOut();
        output.emit(out, new PreflightView(report.module(), report.kernelRelease(), report.verdict(), report.checks()),
                v -> print(out, report));
        return switch (report.verdict()) {
            case FAIL -> ExitCodes.REFUSED;
            case WARN -> strict ? ExitCodes.WARNED : ExitCodes.OK;
            case PASS -> ExitCodes.OK;
        };
    }

    /** The JSON document: the report with its overall verdict (the worst check's). */
    record PreflightView(String module, String kernelRelease, Verdict verdict, java.util.List<Check> checks) {}

    static void print(PrintWriter out, PreflightReport r) {
        out.printf("preflight %s on %s: %s%n", r.module(), r.kernelRelease(), switch (r.verdict()) {
            case PASS -> "OK, can be loaded";
            case WARN -> "OK with warnings, can be loaded";
            case FAIL -> "REFUSED, would not be loaded";
        });
        printChecks(out, r.checks().stream().toList());
    }

    static void printChecks(PrintWriter out, java.util.List<Check> checks) {
        for (Check c : checks) {
            out.printf("  %-4s  %-20s %s%n", c.verdict() == Verdict.PASS ? "ok" : c.verdict().toString().toUpperCase(java.util.Locale.ROOT),
                    c.name(), c.reason());
        }
    }
}
