package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.access.AccessStore.TokenView;
import dev.klpfleet.server.host.FleetJson;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "tokens", mixinStandardHelpOptions = true, description = "Operator and enrollment tokens: issue, list, revoke (admin only).",
        subcommands = {TokensCommand.Issue.class, TokensCommand.ListTokens.class, TokensCommand.Revoke.class})
public final class TokensCommand {

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issue an operator token with a role; shown once, the server keeps only a keyed hash.",
                    "Names 'engine', 'bootstrap-admin' and names starting 'h_' (host ids) are refused."})
    static final class Issue implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--name", required = true, description = "Who or what uses the token; shown in the audit and decision logs.") String name;
        @Option(names = "--role", required = true, description = "viewer, operator or admin.") String role;

        record Issued(String id, String token) {}

        @Override
        public void run() {
            var client = remote.client();
            Issued issued = Remote.call(() -> client.post("api/v1/tokens", Map.of("name", name, "role", role.toUpperCase(java.util.Locale.ROOT))))
                    .as(Issued.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, issued, i -> {
                out.println(i.token());
                out.printf("%s token %s for '%s'; it is shown only now%n", role.toLowerCase(java.util.Locale.ROOT), i.id(), name);
            });
        }
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "Every operator and enrollment token, revoked ones too: id, kind, name, role, created, last used, revoked.")
    static final class ListTokens implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Override
        public void run() {
            var client = remote.client();
            String body = Remote.call(() -> client.get("api/v1/tokens")).body();
            List<TokenView> tokens;
            try {
                tokens = FleetJson.mapper().readValue(body, new TypeReference<List<TokenView>>() {});
            } catch (java.io.IOException e) {
                throw new IllegalStateException("server sent an unexpected token list: " + e.getMessage(), e);
            }
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, tokens, ts -> {
                out.printf("%-22s %-10s %-24s %-9s %-20s %-20s %s%n", "ID", "KIND", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED");
                for (TokenView t : ts) {
                    String role = t.role() != null ? t.role().name().toLowerCase(java.util.Locale.ROOT)
                            : t.labels() == null || t.labels().isEmpty() ? "enroll"
                            : "enroll " + t.labels().entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
                    out.printf("%-22s %-10s %-24s %-9s %-20s %-20s %s%n", t.id(), t.kind(), t.name(), role, when(t.createdAt()),
                            when(t.lastUsedAt()), t.revokedAt() == null ? "-" : when(t.revokedAt()));
                }
                out.println(ts.size() + " tokens, " + ts.stream().filter(t -> t.revokedAt() == null).count() + " live");
            });
        }
    }

    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Revoke an operator (tok_...) or enrollment (enr_...) token; its next request gets 401. Revoking twice keeps the first time.")
    static final class Revoke implements Runnable {
        @Mixin Output output;
        @Mixin Remote remote;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "ID", description = "The token's id, as 'klpfleet tokens list' shows it.") String id;

        @Override
        public void run() {
            var client = remote.client();
            TokenView t = Remote.call(() -> client.post("api/v1/tokens/" + URLEncoder.encode(id, StandardCharsets.UTF_8) + "/revoke", null))
                    .as(TokenView.class);
            PrintWriter out = spec.commandLine().getOut();
            output.emit(out, t, v -> out.printf("%s token %s ('%s') revoked at %s%n", v.kind(), v.id(), v.name(), v.revokedAt()));
        }
    }

    static String when(Instant t) {
        return t == null ? "-" : t.toString().replaceFirst("\\.\\d+Z$", "Z");
    }
}
