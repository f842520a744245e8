package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostView;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "hosts", mixinStandardHelpOptions = true, description = "The host inventory.", subcommands = {HostsCommand.ListHosts.class, HostsCommand.EnrollmentToken.class})
public final class HostsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrolled hosts with kernel, labels and loaded patches.")
    static final class ListHosts implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--label", description = "Only hosts with this KEY=VALUE label.")
        String label;

        @Option(names = "--kernel", description = "Only hosts running this kernel release.")
        String kernel;

        @Override
        public void run() {
            StringBuilder q = new StringBuilder("api/v1/hosts");
            char sep = '?';
            if (label != null) {
                q.append(sep).append("label=").append(URLEncoder.encode(label, StandardCharsets.UTF_8));
                sep = '&';
            }
            if (kernel != null) {
                q.append(sep).append("kernel=").append(URLEncoder.encode(kernel, StandardCharsets.UTF_8));
            }
            var client = remote.client();
            List<HostView> hosts = Remote.allPages(client, q.toString(), new TypeReference<List<HostView>>() {}, "host list");
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, hosts, hs -> {
                out.printf("%-24s %-28s %-10s %-10s %s%n", "HOSTNAME", "KERNEL", "LAST SEEN", "PATCHES", "LABELS");
                Instant now = Instant.now();
                for (HostView h : hs) {
                    String patches = h.loaded().isEmpty() ? "-" : h.loaded().stream().map(p -> p.name() + "@" + p.version() + ":" + p.state())
                            .collect(Collectors.joining(","));
                    out.printf("%-24s %-28s %-10s %-10s %s%n", h.hostname(), h.kernelRelease(), ago(Duration.between(h.lastSeenAt(), now)),
                            patches, h.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(",")));
                }
                out.println(hs.size() + " hosts");
            });
        }
    }

    @Command(name = "enrollment-token", mixinStandardHelpOptions = true,
            description = {"Issue a token that lets new hosts enroll ('klpfleet agent --enroll-token'); admin only.",
                    "Hosts enrolled with it get its labels. The token is shown once; the server keeps only its hash."})
    static final class EnrollmentToken implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, description = "What the token is for, e.g. the batch of hosts; kept in the audit log.")
        String name;

        @Option(names = "--label", paramLabel = "KEY=VALUE", description = "A label every host enrolled with this token gets (repeatable).")
        java.util.Map<String, String> labels = new java.util.LinkedHashMap<>();

        @Option(names = "--ttl-hours", defaultValue = "24", description = "How long the token stays valid. Default: ${DEFAULT-VALUE}.")
        long ttlHours;

        /** The JSON document: the token's id and the token itself. */
        record Issued(String id, String token) {}

        @Override
        public void run() {
            var client = remote.client();
            Issued issued = Remote.call(() -> client.post("api/v1/enrollment-tokens",
                    java.util.Map.of("name", name, "labels", labels, "ttlHours", ttlHours))).as(Issued.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, issued, i -> {
                out.println(i.token());
                out.printf("enrollment token %s for '%s', valid %d h%s; give it to 'klpfleet agent --enroll-token'%n", i.id(), name,
                        ttlHours, labels.isEmpty() ? "" : ", labels " + labels);
            });
        }
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
    }
}
