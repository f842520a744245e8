package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.protocol.artifact.CveId;
import dev.klpfleet.server.cve.Exposure;
import dev.klpfleet.server.host.FleetJson;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "cves", mixinStandardHelpOptions = true,
        description = "CVE exposure: per CVE the hosts a live patch fixed, could fix (build exists, not applied), or cannot fix (no build for the kernel); "
                + "--vex HOST prints the host's OpenVEX document.")
public final class CvesCommand implements Runnable {
    /** {@code klpfleet cves --cve ID --json}: the CVE's summary and every host's status. */
    public record CveHosts(Exposure.CveSummary summary, List<Exposure.HostStatus> hosts) {}

    @Mixin Output output;
    @Mixin Remote remote;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--cve", paramLabel = "CVE-YYYY-NNNN", description = "Only this CVE, with each host's status.")
    String cve;

    @Option(names = "--vex", paramLabel = "HOST", description = "Print the OpenVEX document of this host (id or hostname).")
    String vex;

    @Override
    public void run() {
        if (cve != null && vex != null) {
            throw new CommandFailure(ExitCodes.USAGE, "--cve and --vex go one at a time");
        }
        if (cve != null && !CveId.valid(cve)) {
            throw new CommandFailure(ExitCodes.USAGE, "--cve: " + CveId.problem(cve));
        }
        var client = remote.client();
        PrintWriter out = spec.commandLine().getOut();
        if (vex != null) {
            String id = HostsCommand.resolve(client, vex);
            JsonNode doc = Remote.call(() -> client.get("api/v1/hosts/" + id + "/vex")).json();
            // The VEX document is the output in both forms: scanners read it as it is.
            out.println(doc.toPrettyString());
            out.flush();
            return;
        }
        List<Exposure.CveSummary> all = read(Remote.call(() -> client.get("api/v1/cves" + (cve == null ? "" : "?cve=" + cve))).body(),
                new TypeReference<>() {});
        if (cve == null) {
            output.emit(out, all, rows -> {
                if (rows.isEmpty()) {
                    out.println("no signed build names a CVE yet (klpfleet build --cve CVE-…)");
                    return;
                }
                out.printf("%-18s %7s %7s %8s %12s  %s%n", "CVE", "HOSTS", "FIXED", "FIXABLE", "NOT-FIXABLE", "BUILDS");
                rows.forEach(r -> out.printf("%-18s %7d %7d %8d %12d  %s%n", r.cve(), r.hosts(), r.fixed(), r.fixable(), r.notFixable(),
                        String.join(", ", r.builds().stream().map(b -> b.patch() + " " + b.version() + "@" + b.kernelRelease()).distinct().toList())));
            });
            return;
        }
        if (all.isEmpty()) {
            throw new CommandFailure(ExitCodes.NOT_FOUND, "no signed build names " + cve);
        }
        List<Exposure.HostStatus> hosts = Remote.allPages(client, "api/v1/cves/" + cve + "/hosts", new TypeReference<List<Exposure.HostStatus>>() {},
                "CVE host list");
        output.emit(out, new CveHosts(all.get(0), hosts), r -> {
            Exposure.CveSummary s = r.summary();
            out.printf("%s: %d hosts, %d fixed by a live patch, %d fixable (build exists, not applied), %d not fixable by live patch%n",
                    s.cve(), s.hosts(), s.fixed(), s.fixable(), s.notFixable());
            out.printf("%-24s %-28s %-12s %s%n", "HOSTNAME", "KERNEL", "STATUS", "PATCH");
            r.hosts().forEach(h -> out.printf("%-24s %-28s %-12s %s%n", h.hostname(), h.kernelRelease(), h.status().wire(),
                    h.patch() == null ? "-" : h.patch() + " " + h.version()));
        });
    }

    private static <T> T read(String body, TypeReference<T> type) {
        try {
            return FleetJson.mapper().readValue(body, type);
        } catch (IOException e) {
            throw new IllegalStateException("server sent an unexpected CVE document: " + e.getMessage(), e);
        }
    }
}
