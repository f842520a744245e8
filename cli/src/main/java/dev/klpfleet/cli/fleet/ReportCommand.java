package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.analytics.Reports;
import dev.klpfleet.server.host.FleetJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Fleet analytics: why transitions stall, what applying costs, how loads end.",
        subcommands = {ReportCommand.Stalls.class, ReportCommand.Impact.class, ReportCommand.Failures.class})
public final class ReportCommand {

    /** The filters every report takes. */
    static final class Filters {
        @Option(names = "--patch", description = "Only this patch.")
        String patch;

        @Option(names = "--kernel", description = "Only this kernel release.")
        String kernel;

        String query(String more) {
            StringBuilder q = new StringBuilder();
            if (patch != null) {
                q.append("&patch=").append(URLEncoder.encode(patch, StandardCharsets.UTF_8));
            }
            if (kernel != null) {
                q.append("&kernel=").append(URLEncoder.encode(kernel, StandardCharsets.UTF_8));
            }
            if (more != null) {
                q.append('&').append(more);
            }
            return q.length() == 0 ? "" : "?" + q.substring(1);
        }
    }

    static <T> T fetch(Remote remote, String path, TypeReference<T> type) {
        var client = remote.client();
        dev.klpfleet.server.api.FleetClient.Answer a = Remote.call(() -> client.get(path));
        try {
            return FleetJson.mapper().readValue(a.body(), type);
        } catch (IOException e) {
            throw new IllegalStateException("server sent an unexpected report: " + e.getMessage(), e);
        }
    }

    @Command(name = "stalls", mixinStandardHelpOptions = true,
            description = "Top transition-stall causes: patched functions blocking tasks slept in, and the tasks' names, ranked by hosts then loads stalled.")
    static final class Stalls implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Mixin Filters filters;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--limit", description = "How many causes of each ranking (1..500, default 20).")
        Integer limit;

        @Override
        public void run() {
            Reports.Stalls r = fetch(remote, "api/v1/analytics/stalls" + filters.query(limit == null ? null : "limit=" + limit), new TypeReference<>() {});
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, r, s -> {
                section(out, "Blocking functions (where stalled tasks slept)", s.functions());
                out.println();
                section(out, "Blocking tasks", s.tasks());
            });
        }

        private static void section(PrintWriter out, String title, List<Reports.Cause> causes) {
            out.println(title);
            if (causes.isEmpty()) {
                out.println("  no stalled transition recorded");
                return;
            }
            out.printf("  %6s %6s  %-40s %-28s %s%n", "HOSTS", "LOADS", "NAME", "KERNEL", "PATCH");
            causes.forEach(c -> out.printf("  %6d %6d  %-40s %-28s %s%n", c.hosts(), c.loads(), c.name(), c.kernelRelease(), c.patch()));
        }
    }

    @Command(name = "impact", mixinStandardHelpOptions = true,
            description = "Apply impact p50/p95/p99 per kernel release and patch: ksoftirqd run delay, TCP retransmits, insmod CPU time, transition time.")
    static final class Impact implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Mixin Filters filters;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            List<Reports.Impact> r = fetch(remote, "api/v1/analytics/impact" + filters.query(null), new TypeReference<>() {});
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, r, rows -> {
                if (rows.isEmpty()) {
                    out.println("no apply recorded");
                }
                for (Reports.Impact i : rows) {
                    out.printf("%s on %s: %d loads%n", i.patch(), i.kernelRelease(), i.loads());
                    out.printf("  %-22s %6s %12s %12s %12s%n", "", "N", "P50", "P95", "P99");
                    line(out, "ksoftirqd delay (ms)", i.ksoftirqdDelayNanos(), 1_000_000);
                    line(out, "TCP retransmits", i.tcpRetransmits(), 1);
                    line(out, "insmod CPU (ms)", i.insmodCpuMs(), 1);
                    line(out, "transition (ms)", i.transitionMs(), 1);
                }
            });
        }

        private static void line(PrintWriter out, String what, Reports.Distribution d, long divisor) {
            out.printf("  %-22s %6d %12s %12s %12s%n", what, d.n(), fmt(d.p50(), divisor), fmt(d.p95(), divisor), fmt(d.p99(), divisor));
        }

        private static String fmt(Long v, long divisor) {
            return v == null ? "-" : divisor == 1 ? Long.toString(v) : String.format("%.1f", v / (double) divisor);
        }
    }

    @Command(name = "failures", mixinStandardHelpOptions = true, description = "How loads ended per kernel release, with stall and failure rates.")
    static final class Failures implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Mixin Filters filters;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            List<Reports.Failures> r = fetch(remote, "api/v1/analytics/failures" + filters.query(null), new TypeReference<>() {});
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, r, rows -> {
                if (rows.isEmpty()) {
                    out.println("no apply recorded");
                    return;
                }
                out.printf("%-28s %6s %6s %8s %8s %8s %7s %8s %7s %8s%n", "KERNEL", "LOADS", "HOSTS", "APPLIED", "REFUSED", "STALLED", "FAILED",
                        "UNKNOWN", "STALL%", "FAILED%");
                rows.forEach(f -> out.printf("%-28s %6d %6d %8d %8d %8d %7d %8d %6.1f%% %7.1f%%%n", f.kernelRelease(), f.loads(), f.hosts(), f.applied(),
                        f.refused(), f.stalled(), f.failed(), f.unknown(), 100 * f.stallRate(), 100 * f.failureRate()));
            });
        }
    }
}
