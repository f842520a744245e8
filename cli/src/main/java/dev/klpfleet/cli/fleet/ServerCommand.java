package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "server", mixinStandardHelpOptions = true,
        description = {"Run the control plane: HTTP API, storage, rollout engine.",
                "Embedded SQLite in --data by default; --db postgresql://user@host:5432/db for production (several servers may share it).",
                "Trusted signing keys: DIR/keys/*.pub and --trust-key. Bootstrap admin token: $KLPFLEET_ADMIN_TOKEN (at least 32 characters; a new value replaces the old), else generated into DIR/admin.token.",
                "DIR is created 0700 when absent; the SQLite database is 0600."})
public final class ServerCommand implements Callable<Integer> {
    @Mixin Output output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--data", required = true, description = "Data directory (SQLite database, admin token, trusted keys).")
    Path data;

    @Option(names = "--listen", defaultValue = "127.0.0.1:8440", description = "HOST:PORT to serve on (default ${DEFAULT-VALUE}; port 0 picks one).")
    String listen;

    @Option(names = "--dashboard-listen", paramLabel = "HOST:PORT",
            description = "Also serve the web dashboard on HOST:PORT (its own port; port 0 picks one). Off unless given.")
    String dashboardListen;

    @Option(names = "--db", description = "postgresql://[user[:password]@]host[:port]/db[?schema=S] or sqlite:PATH.")
    String db;

    @Option(names = "--trust-key", description = "A trusted Ed25519 public key file (repeatable).")
    List<Path> trustKeys = new ArrayList<>();

    @Option(names = "--token-key", paramLabel = "FILE",
            description = "Key file stored token hashes are keyed with (default DIR/token-hash.key, created 0600 on first start); "
                    + "servers sharing one database must use the same file.")
    Path tokenKey;

    @Option(names = "--engine-tick", defaultValue = "PT1S",
            description = "How often the rollout engine steps, ISO-8601 (default ${DEFAULT-VALUE}); soak times are only as precise as this.")
    String engineTick;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "Log lines on stderr as text (default) or one JSON object per line (fields: docs/OBSERVABILITY.md).")
    String logFormat;

    @Override
    public Integer call() throws Exception {
        dev.klpfleet.cli.logging.LogFormat.parse(logFormat).apply();
        int colon = listen.lastIndexOf(':');
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--listen must be HOST:PORT (got '" + listen + "')");
        }
        String host = colon <= 0 ? "127.0.0.1" : listen.substring(0, colon).replace("[", "").replace("]", "");
        Duration tick;
        try {
            tick = Duration.parse(engineTick);
        } catch (DateTimeParseException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--engine-tick must be an ISO-8601 duration such as PT1S (got '" + engineTick + "')");
        }
        if (tick.isNegative() || tick.isZero()) {
            throw new CommandFailure(ExitCodes.USAGE, "--engine-tick must be positive");
        }
        ServerConfig cfg = ServerConfig.of(data, host, port).withAdminToken(System.getenv("KLPFLEET_ADMIN_TOKEN")).withTrustKeys(trustKeys)
                .withEngineTick(tick).withTokenKey(tokenKey);
        if (db != null) {
            try {
                cfg = cfg.withDatabase(DatabaseLocation.parse(db));
            } catch (IllegalArgumentException e) {
                throw new CommandFailure(ExitCodes.USAGE, "--db: " + e.getMessage());
            }
        }
        dev.klpfleet.server.dashboard.DashboardOptions dashboard = null;
        if (dashboardListen != null) {
            int c = dashboardListen.lastIndexOf(':');
            try {
                dashboard = dev.klpfleet.server.dashboard.DashboardOptions.on(
                        c <= 0 ? "127.0.0.1" : dashboardListen.substring(0, c).replace("[", "").replace("]", ""),
                        Integer.parseInt(dashboardListen.substring(c + 1)));
            } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
                throw new CommandFailure(ExitCodes.USAGE, "--dashboard-listen must be HOST:PORT (got '" + dashboardListen + "')");
            }
        }
        FleetServer server;
        try {
            server = FleetServer.start(cfg, dashboard);
        } catch (dev.klpfleet.server.access.AccessStore.WeakAdminToken | dev.klpfleet.server.access.TokenHashKey.Mismatch e) {
            throw new CommandFailure(ExitCodes.WEAK_SECRET, e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, e.getMessage());
        } catch (java.io.IOException e) {
            throw new CommandFailure(ExitCodes.UNSUPPORTED, "cannot listen on " + listen + ": " + e.getMessage());
        }
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "klpfleet-shutdown"));
        var out = spec.commandLine().getOut();
        Map<String, String> started = new java.util.LinkedHashMap<>();
        started.put("url", server.uri().toString());
        started.put("database", cfg.database().toString());
        started.put("adminToken", server.bootstrapNote());
        started.put("dashboard", server.dashboardUri() == null ? null : server.dashboardUri().toString());
        output.emit(out, started, m -> out.println("klpfleet server listening on " + m.get("url") + " (" + m.get("database") + "; " + m.get("adminToken") + ")"
                + (m.get("dashboard") == null ? "" : "; dashboard on " + m.get("dashboard"))));
        server.join();
        return ExitCodes.OK;
    }
}
