package dev.klpfleet.cli.build;

import dev.klpfleet.patchbuild.pipeline.BuildProgress;
import dev.klpfleet.patchbuild.pipeline.ReleaseResult;
import dev.klpfleet.patchbuild.release.KernelRelease;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Shows where each release's build is, on stderr. On a terminal it redraws one line per release
 * in place (ANSI cursor-up); otherwise it prints a plain line per change, fit for CI logs.
 */
final class ProgressDisplay implements BuildProgress {
    private final PrintWriter err;
    private final boolean terminal;
    private final Map<String, String> lines = new LinkedHashMap<>();

    ProgressDisplay(PrintWriter err, boolean terminal, List<KernelRelease> releases) {
        this.err = err;
        this.terminal = terminal;
        releases.forEach(r -> lines.put(r.name(), "queued"));
    }

    @Override
    public synchronized void stage(KernelRelease release, Stage stage) {
        String state = stage.name().toLowerCase(Locale.ROOT) + (stage == Stage.QUEUED ? "" : "...");
        if (state.equals(lines.put(release.name(), state))) {
            return;
        }
        if (terminal) {
            redrawStatus();
        } else if (stage != Stage.QUEUED) {
            err.println("build " + release.name() + ": " + state);
        }
        err.flush();
    }

    @Override
    public synchronized void finished(KernelRelease release, ReleaseResult result) {
        String state = result.status().name().toLowerCase(Locale.ROOT).replace('_', '-');
        lines.put(release.name(), state);
        if (terminal) {
            err.print("\r\033[K");
        }
        err.println("build " + release.name() + ": " + state);
        if (terminal) {
            redrawStatus();
        }
        err.flush();
    }

    /** Clears the status line on a terminal, before the final report is printed. */
    synchronized void close() {
        if (terminal) {
            err.print("\r\033[K");
            err.flush();
        }
    }

    /** One line, rewritten in place: every release still running and how far it is. */
    private void redrawStatus() {
        long running = lines.values().stream().filter(s -> s.endsWith("...") || s.equals("queued")).count();
        StringBuilder b = new StringBuilder("\r\033[K[" + (lines.size() - running) + "/" + lines.size() + " done]");
        lines.forEach((r, s) -> {
            if (s.endsWith("...")) {
                b.append("  ").append(r).append(' ').append(s);
            }
        });
        err.print(b);
    }
}
