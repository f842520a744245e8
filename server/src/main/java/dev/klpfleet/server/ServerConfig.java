package dev.klpfleet.server;

import dev.klpfleet.server.api.HttpLimits;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;

/**
 * How to run one server process.
 *
 * @param dataDir       holds the SQLite database (unless {@code database} points elsewhere), the generated
 *                      admin token, and {@code keys/*.pub}, the fleet's trusted signing keys
 * @param port          0 picks a free port
 * @param adminToken    bootstrap admin token (KLPFLEET_ADMIN_TOKEN), or null
 * @param trustKeys     more trusted public key files besides {@code dataDir/keys/*.pub}
 * @param engineTick    how often the rollout engine steps
 * @param serverId      this process's name in the engine lease
 * @param http          connection and request-body limits of the HTTP server
 */
public record ServerConfig(Path dataDir, String host, int port, DatabaseLocation database, String adminToken,
                           List<Path> trustKeys, Duration engineTick, String serverId, InstantSource clock,
                           HttpLimits http) {

    /** Defaults for everything but where to keep data and where to listen. */
    public static ServerConfig of(Path dataDir, String host, int port) {
        return new ServerConfig(dataDir, host, port, DatabaseLocation.inDataDir(dataDir), null, List.of(), Duration.ofSeconds(1),
                "server-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime()), InstantSource.system(), HttpLimits.DEFAULT);
    }

    public ServerConfig withDatabase(DatabaseLocation db) {
        return new ServerConfig(dataDir, host, port, db, adminToken, trustKeys, engineTick, serverId, clock, http);
    }

    public ServerConfig withAdminToken(String token) {
        return new ServerConfig(dataDir, host, port, database, token, trustKeys, engineTick, serverId, clock, http);
    }

    public ServerConfig withTrustKeys(List<Path> keys) {
        return new ServerConfig(dataDir, host, port, database, adminToken, keys, engineTick, serverId, clock, http);
    }

    public ServerConfig withEngineTick(Duration tick) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, tick, serverId, clock, http);
    }

    public ServerConfig withHttpLimits(HttpLimits limits) {
        return new ServerConfig(dataDir, host, port, database, adminToken, trustKeys, engineTick, serverId, clock, limits);
    }
}
