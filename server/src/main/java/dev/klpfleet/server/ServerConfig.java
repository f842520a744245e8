package dev.klpfleet.server;

import dev.klpfleet.server.access.SignInFailures;
import dev.klpfleet.server.access.TokenHashKey;
import dev.klpfleet.server.api.HttpLimits;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.tls.Tls;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * How to run one server process.
 *
 * @param dataDir          holds the SQLite database (unless {@code database} points elsewhere), the generated
 *                         admin token, the token-hash key, and {@code keys/*.pub}, the fleet's trusted signing keys;
 *                         created 0700 when absent
 * @param port             0 picks a free port
 * @param adminToken       bootstrap admin token (KLPFLEET_ADMIN_TOKEN), or null; at least 32 characters
 * @param trustKeys        more trusted public key files besides {@code dataDir/keys/*.pub}
 * @param engineTick       how often the rollout engine steps
 * @param serverId         this process's name in the engine lease
 * @param tokenKey         the file of the key stored token hashes are keyed with, or null for {@code dataDir/token-hash.key};
 *                         servers sharing a database must share it
 * @param signInAuditWindow failed sign-ins from one source are audited at most once per window, then counted
 * @param http             connection and request-body limits of the HTTP server
 * @param tls              how the API port speaks: {@link Tls.Plain} by default here (tests on loopback);
 *                         {@code klpfleet server} defaults to a self-signed certificate
 */
public record ServerConfig(Path dataDir, String host, int port, DatabaseLocation database, String adminToken,
                           List<Path> trustKeys, Duration engineTick, String serverId, InstantSource clock,
                           Path tokenKey, Duration signInAuditWindow, HttpLimits http, Tls tls) {

    /** Defaults for everything but where to keep data and where to listen. */
    public static ServerConfig of(Path dataDir, String host, int port) {
        return new ServerConfig(dataDir, host, port, DatabaseLocation.inDataDir(dataDir), null, List.of(), Duration.ofSeconds(1),
                "server-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()), InstantSource.system(),
                null, SignInFailures.WINDOW, HttpLimits.DEFAULT, new Tls.Plain());
    }

    /** The token-hash key file in effect. */
    public Path tokenKeyFile() {
        return tokenKey != null ? tokenKey : dataDir.resolve(TokenHashKey.FILE);
    }

    public ServerConfig withDatabase(DatabaseLocation db) {
        return new ServerConfig(dataDir, host, port, db, adminToken, trustKeys, engineTick, serverId, clock, tokenKey, signInAuditWindow, http, tls);
    }

    public ServerConfig withAdminToken(String token) {
        return new ServerConfig(dataDir, host, port, database, token, trustKeys, engineTick, serverId, clock, tokenKey, signInAuditWindow, http, tls);
    }

    public ServerConfig withTrustKeys(List<Path> keys) {
        return new ServerConfig(dataDir, host, port, database, adminToken, keys, engineTick, serverId, clock, tokenKey, signInAuditWindow, http, tls);
    }

    public ServerConfig withEngineTick(Duration tick) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, tick, serverId, clock, tokenKey, signInAuditWindow, http, tls);
    }

    public ServerConfig withTokenKey(Path file) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, engineTick, serverId, clock, file, signInAuditWindow, http, tls);
    }

    public ServerConfig withSignInAuditWindow(Duration window) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, engineTick, serverId, clock, tokenKey, window, http, tls);
    }

    public ServerConfig withHttpLimits(HttpLimits limits) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, engineTick, serverId, clock, tokenKey,
                signInAuditWindow, limits, tls);
    }

    public ServerConfig withTls(Tls how) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, engineTick, serverId, clock, tokenKey,
                signInAuditWindow, http, how);
    }
}
