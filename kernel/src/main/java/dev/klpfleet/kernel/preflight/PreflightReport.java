package dev.klpfleet.kernel.preflight;

import java.util.List;

/** Every check's verdict for one module on one kernel; the load goes ahead only without a fail. */
public record PreflightReport(String module, String kernelRelease, List<Check> checks) {
    public PreflightReport {
        checks = List.copyOf(checks);
    }

    /** The worst verdict of all checks. */
    public Verdict verdict() {
        return checks.stream().map(Check::verdict).reduce(Verdict.PASS, Verdict::worst);
    }

    public List<Check> failures() {
        return checks.stream().filter(c -> c.verdict() == Verdict.FAIL).toList();
    }
}
