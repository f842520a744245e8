package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.tls.Tls;
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
                "DIR is created 0700 when absent; the SQLite database is 0600.",
                "TLS by default: --tls-cert/--tls-key, else a self-signed certificate generated into DIR/tls/ on first start;",
                "its SHA-256 fingerprint is printed at every start for agents' and the CLI's --server-fingerprint.",
                "Plain HTTP only with --plain-http on a loopback address."})
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

    @Option(names = "--tls-cert", paramLabel = "FILE", description = "PEM certificate chain (server first) to serve TLS with; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "PEM private key of --tls-cert (PKCS#8, PKCS#1 or SEC1; unencrypted).")
    Path tlsKey;

    @Option(names = "--max-connections", defaultValue = "4096", paramLabel = "N",
            description = "Connections served at once, all clients together (default ${DEFAULT-VALUE}); more wait in the accept queue.")
    int maxConnections;

    @Option(names = "--max-connections-per-address", defaultValue = "256", paramLabel = "N",
            description = "Connections one client address may hold (default ${DEFAULT-VALUE}); more are closed at once. Raise it behind a proxy or NAT.")
    int maxConnectionsPerAddress;

    @Option(names = "--plain-http", description = "Serve plain HTTP instead of TLS; refused unless --listen is a loopback address.")
    boolean plainHttp;

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
        Tls tls = tls(host);
        if (maxConnections < 1 || maxConnectionsPerAddress < 1) {
            throw new CommandFailure(ExitCodes.USAGE, "--max-connections and --max-connections-per-address must be at least 1");
        }
        ServerConfig cfg = ServerConfig.of(data, host, port).withTls(tls)
                .withHttpLimits(dev.klpfleet.server.api.HttpLimits.DEFAULT.withConnections(maxConnections, maxConnectionsPerAddress)).withAdminToken(System.getenv("KLPFLEET_ADMIN_TOKEN")).withTrustKeys(trustKeys)
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
        Map<String, Object> started = new java.util.LinkedHashMap<>();
        started.put("url", server.uri().toString());
        started.put("database", cfg.database().toString());
        started.put("adminToken", server.bootstrapNote());
        started.put("tls", server.fingerprint().isPresent());
        started.put("fingerprint", server.fingerprint().map(Object::toString).orElse(null));
        started.put("dashboard", server.dashboardUri() == null ? null : server.dashboardUri().toString());
        output.emit(out, started, m -> {
            out.println("klpfleet server listening on " + m.get("url") + " (" + m.get("database") + "; " + m.get("adminToken") + ")"
                    + (m.get("dashboard") == null ? "" : "; dashboard on " + m.get("dashboard")));
            out.println(m.get("fingerprint") == null ? "plain HTTP (loopback only)"
                    : "TLS certificate fingerprint " + m.get("fingerprint") + "  (agents and CLI: --server-fingerprint or $"
                    + dev.klpfleet.protocol.transport.ServerTrust.FINGERPRINT_ENV + ")");
        });
        server.join();
        return ExitCodes.OK;
    }

    /** The TLS setting the options ask for; contradictions and plain HTTP beyond loopback are usage errors. */
    private Tls tls(String host) {
        if (plainHttp) {
            if (tlsCert != null || tlsKey != null) {
                throw new CommandFailure(ExitCodes.USAGE, "--plain-http contradicts --tls-cert/--tls-key");
            }
            if (!dev.klpfleet.protocol.transport.ServerTrust.isLoopback(host)) {
                throw new CommandFailure(ExitCodes.USAGE, "--plain-http is refused on " + host
                        + ": host credentials and modules would cross the network in clear; listen on 127.0.0.1 or drop --plain-http");
            }
            return new Tls.Plain();
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandFailure(ExitCodes.USAGE, "--tls-cert and --tls-key go together");
        }
        return tlsCert == null ? new Tls.SelfSigned() : new Tls.PemFiles(tlsCert, tlsKey);
    }
}
