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

@Command(name = "hosts", mixinStandardHelpOptions = true, description = "The host inventory.", subcommands = {HostsCommand.ListHosts.class, HostsCommand.Show.class, HostsCommand.Revoke.class, HostsCommand.EnrollmentToken.class, HostsCommand.ClearCrash.class, HostsCommand.CrashHolds.class})
public final class HostsCommand {

    @Command(name = "list", mixinStandardHelpOptions = true, description = "List enrolled hosts with kernel, labels and loaded patches.")
    static final class ListHosts implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--label", description = "Only hosts with this KEY=VALUE binding label (set by their enrollment token).")
        String label;

        @Option(names = "--host-label", description = "Only hosts that claimed this KEY=VALUE label themselves.")
        String hostLabel;

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
            if (hostLabel != null) {
                q.append(sep).append("hostLabel=").append(URLEncoder.encode(hostLabel, StandardCharsets.UTF_8));
                sep = '&';
            }
            if (kernel != null) {
                q.append(sep).append("kernel=").append(URLEncoder.encode(kernel, StandardCharsets.UTF_8));
            }
            var client = remote.client();
            List<HostView> hosts = Remote.allPages(client, q.toString(), new TypeReference<List<HostView>>() {}, "host list");
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, hosts, hs -> {
                out.printf("%-24s %-28s %-10s %-10s %s%n", "HOSTNAME", "KERNEL", "LAST SEEN", "PATCHES", "LABELS [HOST-CLAIMED]");
                Instant now = Instant.now();
                for (HostView h : hs) {
                    String patches = h.loaded().isEmpty() ? "-" : h.loaded().stream().map(p -> p.name() + "@" + p.version() + ":" + p.state())
                            .collect(Collectors.joining(","));
                    out.printf("%-24s %-28s %-10s %-10s %s%n", h.hostname(), h.kernelRelease(),
                            h.revokedAt() != null ? "REVOKED" : ago(Duration.between(h.lastSeenAt(), now)), patches, labels(h));
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

    /** Binding labels, then the host-claimed ones in brackets, so nobody mistakes one for the other. */
    static String labels(HostView h) {
        String binding = pairs(h.labels());
        return h.hostLabels() == null || h.hostLabels().isEmpty() ? binding : binding + (binding.isEmpty() ? "" : " ") + "[" + pairs(h.hostLabels()) + "]";
    }

    private static String pairs(java.util.Map<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    /** The id of HOST: itself if it is a host id, else the one host with that hostname. */
    static String resolve(dev.klpfleet.server.api.FleetClient client, String host) {
        if (host.startsWith(dev.klpfleet.server.storage.Ids.HOST_PREFIX + "_")) {
            return host;
        }
        // Every page: the host may sit past the first one.
        List<HostView> named = Remote.allPages(client, "api/v1/hosts", new TypeReference<List<HostView>>() {}, "host list").stream()
                .filter(h -> h.hostname().equals(host)).toList();
        if (named.isEmpty()) {
            throw new dev.klpfleet.cli.CommandFailure(dev.klpfleet.cli.ExitCodes.NOT_FOUND, "no host with id or hostname '" + host + "'");
        }
        if (named.size() > 1) {
            throw new dev.klpfleet.cli.CommandFailure(dev.klpfleet.cli.ExitCodes.USAGE, named.size() + " hosts are named '" + host + "' ("
                    + named.stream().map(HostView::id).collect(Collectors.joining(", ")) + "); give the id");
        }
        return named.get(0).id();
    }

    @Command(name = "show", mixinStandardHelpOptions = true, description = "One host's inventory: binding and host-claimed labels, kernel, patches, revocation.")
    static final class Show implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "HOST", description = "Host id (h_...) or hostname.") String host;

        @Override
        public void run() {
            var client = remote.client();
            String id = resolve(client, host);
            HostView h = Remote.call(() -> client.get("api/v1/hosts/" + URLEncoder.encode(id, StandardCharsets.UTF_8))).as(HostView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, h, v -> {
                out.println(v.hostname() + " (" + v.id() + ")" + (v.revokedAt() != null ? " REVOKED at " + v.revokedAt() : ""));
                out.println("  kernel        " + v.kernelRelease() + " (" + v.distro() + ")");
                out.println("  labels        " + pairs(v.labels()) + "   (binding: from its enrollment token; rollouts select on these)");
                out.println("  host labels   " + pairs(v.hostLabels()) + "   (claimed by the host; only --host-label selects on these)");
                out.println("  enrolled      " + v.enrolledAt() + ", last seen " + v.lastSeenAt());
                out.println("  patches       " + (v.loaded().isEmpty() ? "-" : v.loaded().stream().map(p -> p.name() + "@" + p.version() + ":" + p.state())
                        .collect(Collectors.joining(","))));
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = {"Revoke a host's credential (admin only): its next request gets 401 and new rollouts leave it out.",
                    "To bring the machine back, enroll it again with a new enrollment token."})
    static final class Revoke implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "HOST", description = "Host id (h_...) or hostname.") String host;

        @Override
        public void run() {
            var client = remote.client();
            String id = resolve(client, host);
            HostView h = Remote.call(() -> client.post("api/v1/hosts/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/revoke", null))
                    .as(HostView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, h, v -> out.println("host " + v.hostname() + " (" + v.id() + ") revoked at " + v.revokedAt()));
        }
    }

    @Command(name = "clear-crash", mixinStandardHelpOptions = true,
            description = {"Clear a host's crash-suspected hold on a patch (operator): its agent reported that a boot ended while, or",
                    "soon after, the patch was loaded, and will not load it again on its own until this. Audited as host.clear-crash."})
    static final class ClearCrash implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "HOST", description = "Host id (h_...) or hostname.") String host;

        @Option(names = "--patch", required = true, description = "The patch whose crash-suspected events to clear.")
        String patch;

        @Option(names = "--reason", description = "Why it is safe to load again; kept in the audit log.")
        String reason;

        @Override
        public void run() {
            var client = remote.client();
            String id = resolve(client, host);
            java.util.Map<String, String> body = new java.util.TreeMap<>();
            body.put("patch", patch);
            if (reason != null) {
                body.put("reason", reason);
            }
            List<dev.klpfleet.protocol.fleet.CrashHold> cleared = List.of(Remote.call(() -> client.post("api/v1/hosts/"
                    + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/clear-crash", body))
                    .as(dev.klpfleet.protocol.fleet.CrashHold[].class));
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, cleared, cs -> {
                for (var c : cs) {
                    out.println("cleared crash-suspected " + c.patch() + " " + c.version() + " on " + id + " (event " + c.eventId()
                            + ", reported " + c.reportedAt() + ")");
                }
                out.println("the agent lifts its hold at its next check-in; it loads " + patch + " again only when a desired set names it");
            });
        }
    }

    @Command(name = "crash-holds", mixinStandardHelpOptions = true,
            description = "A host's crash-suspected events: the patches its agent holds back, and which an operator cleared.")
    static final class CrashHolds implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @picocli.CommandLine.Parameters(index = "0", paramLabel = "HOST", description = "Host id (h_...) or hostname.") String host;

        @Override
        public void run() {
            var client = remote.client();
            String id = resolve(client, host);
            List<dev.klpfleet.protocol.fleet.CrashHold> holds = List.of(Remote.call(() -> client.get("api/v1/hosts/"
                    + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/crash-holds"))
                    .as(dev.klpfleet.protocol.fleet.CrashHold[].class));
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, holds, hs -> {
                out.printf("%-24s %-8s %-26s %s%n", "PATCH", "VERSION", "REPORTED", "STATE");
                for (var c : hs) {
                    out.printf("%-24s %-8s %-26s %s%n", c.patch(), c.version(), c.reportedAt(), c.clearedAt() == null ? "HELD"
                            : "cleared " + c.clearedAt() + " by " + c.clearedBy() + (c.reason() == null ? "" : ": " + c.reason()));
                }
                out.println(hs.size() + " crash-suspected events, " + hs.stream().filter(c -> c.clearedAt() == null).count() + " held");
            });
        }
    }

    static String ago(Duration d) {
        long s = Math.max(0, d.toSeconds());
        return s < 120 ? s + "s ago" : s < 7200 ? s / 60 + "m ago" : s / 3600 + "h ago";
    }
}
