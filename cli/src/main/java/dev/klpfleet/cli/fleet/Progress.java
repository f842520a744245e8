package dev.klpfleet.cli.fleet;

import dev.klpfleet.server.rollout.RolloutView;
import java.io.PrintWriter;

/** The human form of a rollout: one line of status, one bar per wave, and the latest decisions. */
final class Progress {
    private static final int BAR = 30;

    private Progress() {}

    static void print(PrintWriter out, RolloutView v, boolean allDecisions) {
        out.printf("rollout %s  %s %s  %s%s%n", v.id(), v.patch(), v.version(), v.status(),
                v.haltReason() == null ? "" : "  (" + v.haltReason() + ")");
        for (RolloutView.WaveProgress w : v.waves()) {
            int done = w.applied() + w.failed() + w.stalled();
            String bar = bar(w);
            int back = w.rollingBack() + w.rolledBack() + w.rollbackFailed();
            out.printf("%s wave %d %-10s [%s] %d/%d done  applying %d%s  failed %d%s  stalled %d%s%s%n",
                    w.index() == v.currentWave() ? ">" : " ", w.index() + 1, w.name(), bar, done, w.hosts(), w.applying(),
                    w.retrying() > 0 ? "  retrying " + w.retrying() : "",
                    w.failed(), w.unknown() > 0 ? " (" + w.unknown() + " unknown result)" : "", w.stalled(),
                    back > 0 ? "  rolled back " + w.rolledBack() + "/" + back : "",
                    w.rollbackFailed() > 0 ? "  ROLLBACK FAILED " + w.rollbackFailed() : "");
        }
        var retrying = v.hosts().stream().filter(h -> h.phase() == dev.klpfleet.server.rollout.core.Phase.RETRYING).toList();
        for (RolloutView.HostLine h : retrying.subList(0, Math.min(10, retrying.size()))) {
            out.printf("  retrying %s: stalled, attempt %d not before %s%n", h.hostId(), h.attempt(), h.notBefore());
        }
        if (retrying.size() > 10) {
            out.printf("  ... and %d more hosts retrying%n", retrying.size() - 10);
        }
        if (!v.noBuild().isEmpty()) {
            out.println("  NO BUILD for " + v.noBuild().size() + " hosts (their kernel has no artifact): "
                    + String.join(", ", v.noBuild().subList(0, Math.min(10, v.noBuild().size()))) + (v.noBuild().size() > 10 ? ", ..." : ""));
        }
        var ds = v.decisions();
        int from = allDecisions ? 0 : Math.max(0, ds.size() - 5);
        for (RolloutView.DecisionRecord d : ds.subList(from, ds.size())) {
            out.printf("  #%d %s %-13s %s (%s)%n", d.seq(), d.at(), d.kind(), d.reason(), d.actor());
        }
    }

    private static String bar(RolloutView.WaveProgress w) {
        if (w.hosts() == 0) {
            return " ".repeat(BAR);
        }
        int ok = w.applied() * BAR / w.hosts();
        int bad = (w.failed() + w.stalled()) * BAR / w.hosts();
        int going = (w.applying() + w.retrying()) * BAR / w.hosts();
        return "#".repeat(ok) + "!".repeat(bad) + "~".repeat(going) + ".".repeat(Math.max(0, BAR - ok - bad - going));
    }
}
