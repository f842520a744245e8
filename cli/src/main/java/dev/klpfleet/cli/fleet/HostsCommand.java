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

@Command(name = "hosts", mixinStandardHelpOptions = true, description = "The host inventory.", subcommands = HostsCommand.ListHosts.class)
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
            String body = Remote.call(() -> client.get(q.toString())).body();
            List<HostView> hosts;
            try {
                hosts = FleetJson.mapper().readValue(body, new TypeReference<List<HostView>>() {});
            } catch (java.io.IOException e) {
                throw new IllegalStateException("server sent an unexpected host list: " + e.getMessage(), e);
            }
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

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
    }
}
