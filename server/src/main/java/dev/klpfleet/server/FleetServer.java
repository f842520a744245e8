package dev.klpfleet.server;

import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.SignInFailures;
import dev.klpfleet.server.access.TokenHash;
import dev.klpfleet.server.access.TokenHashKey;
import dev.klpfleet.server.analytics.Analytics;
import dev.klpfleet.server.analytics.AnalyticsRoutes;
import dev.klpfleet.server.api.Api;
import dev.klpfleet.server.cve.CveRoutes;
import dev.klpfleet.server.dashboard.Dashboard;
import dev.klpfleet.server.dashboard.DashboardOptions;
import dev.klpfleet.server.cve.Exposure;
import dev.klpfleet.server.api.ApiHandler;
import dev.klpfleet.server.api.JsonErrorHandler;
import dev.klpfleet.server.api.Route;
import dev.klpfleet.server.host.Checkins;
import dev.klpfleet.server.host.EventStore;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.host.LastSeenWriter;
import dev.klpfleet.server.metrics.FleetGauges;
import dev.klpfleet.server.metrics.FleetMetrics;
import dev.klpfleet.server.patch.PatchStore;
import dev.klpfleet.server.patch.TrustedKeys;
import dev.klpfleet.server.rollout.RolloutDesiredSets;
import dev.klpfleet.server.rollout.RolloutEngine;
import dev.klpfleet.server.rollout.Rollouts;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.storage.PrivateFiles;
import dev.klpfleet.server.storage.Lease;
import dev.klpfleet.server.tls.PemFiles;
import dev.klpfleet.server.tls.SelfSignedCertificate;
import dev.klpfleet.server.tls.ServerCertificate;
import dev.klpfleet.server.tls.Tls;
import dev.klpfleet.server.tls.TlsConnectors;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.NetworkConnectionLimit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One control-plane server process: database, services, rollout engine and the HTTP API. */
public final class FleetServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetServer.class);
    /** How often this process looks for desired-state changes made by other processes. */
    public static final Duration DESIRED_POLL = Duration.ofMillis(250);
    /** How often batched check-ins are written. */
    public static final Duration LAST_SEEN_FLUSH = Duration.ofSeconds(1);
    /** Fleet aggregates (hosts by kernel and state, rollouts by status) are re-read every this many engine ticks: 15 s by default. */
    public static final int METRICS_REFRESH_TICKS = 15;
    /** How long shutdown waits for in-flight requests. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);

    private final Database db;
    private final Server jetty;
    private final RolloutEngine engine;
    private final LastSeenWriter lastSeen;
    private final List<ScheduledExecutorService> background;
    private final String bootstrapNote;
    private final ServerCertificate certificate;
    private volatile Dashboard dashboard;

    private FleetServer(Database db, Server jetty, RolloutEngine engine, LastSeenWriter lastSeen,
                        List<ScheduledExecutorService> background, String bootstrapNote, ServerCertificate certificate) {
        this.certificate = certificate;
        this.db = db;
        this.jetty = jetty;
        this.engine = engine;
        this.lastSeen = lastSeen;
        this.background = background;
        this.bootstrapNote = bootstrapNote;
    }

    /**
     * Opens (and migrates) the database, bootstraps the admin token, and starts serving.
     *
     * @throws AccessStore.WeakAdminToken   for a configured admin token shorter than 32 characters
     * @throws TokenHashKey.Mismatch        for a token-hash key other than the one the database's tokens are hashed with
     * @throws IllegalArgumentException for an unusable trusted key file
     * @throws Exception                if the port cannot be bound or the database cannot be opened
     */
    public static FleetServer start(ServerConfig cfg) throws Exception {
        return start(cfg, null);
    }

    /** As {@link #start(ServerConfig)}, also serving the web dashboard as {@code dashboard} says (null: no dashboard). */
    public static FleetServer start(ServerConfig cfg, DashboardOptions dashboard) throws Exception {
        AccessStore.checkAdminToken(cfg.adminToken());
        // The operator's certificate is read before anything is created, so a bad file changes nothing.
        ServerCertificate given = cfg.tls() instanceof Tls.PemFiles f ? PemFiles.load(f.certificate(), f.privateKey()) : null;
        PrivateFiles.directory(cfg.dataDir());
        ServerCertificate cert = cfg.tls() instanceof Tls.SelfSigned
                ? SelfSignedCertificate.loadOrCreate(cfg.dataDir(), cfg.clock().instant(), new SecureRandom()) : given;
        if (cfg.database() instanceof DatabaseLocation.Sqlite sqlite) {
            PrivateFiles.sqlite(sqlite.file());
        }
        TrustedKeys keys = TrustedKeys.load(cfg.dataDir().resolve("keys"), cfg.trustKeys());
        TokenHash hash = new TokenHash(TokenHashKey.loadOrCreate(cfg.tokenKeyFile(), new SecureRandom()));
        PrometheusMeterRegistry meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(meters);
        new JvmThreadMetrics().bindTo(meters);
        FleetMetrics metrics = new FleetMetrics(meters);
        Database db = Database.open(cfg.database(), meters);
        try {
            TokenHashKey.bind(db, hash, cfg.tokenKeyFile());
            AccessStore access = new AccessStore(db, cfg.clock(), hash);
            String note = access.bootstrap(cfg.adminToken(), cfg.dataDir());
            AuditLog audit = new AuditLog(db, cfg.clock());
            SignInFailures signIns = new SignInFailures(audit, System::nanoTime, cfg.signInAuditWindow());
            HostStore hosts = new HostStore(db, cfg.clock(), hash, audit);
            PatchStore patches = new PatchStore(db, cfg.clock(), keys, audit);
            Rollouts rollouts = new Rollouts(db, cfg.clock(), hosts, patches, audit, metrics);
            RolloutDesiredSets desired = new RolloutDesiredSets(rollouts);
            LastSeenWriter lastSeen = new LastSeenWriter(db);
            EventStore events = new EventStore(db, cfg.clock(), metrics);
            Checkins checkins = new Checkins(hosts, desired, lastSeen, events, cfg.clock(), metrics);
            List<Route> routes = Api.routes(new Api.Services(access, audit, hosts, checkins, events,
                    patches, rollouts, meters, metrics), 
                    concat(AnalyticsRoutes.routes(new Analytics(db)), CveRoutes.routes(new Exposure(db), cfg.clock())));

            ScheduledExecutorService bg = Executors.newScheduledThreadPool(1, r -> {
                Thread t = new Thread(r, "klpfleet-background");
                t.setDaemon(true);
                return t;
            });
            bg.scheduleWithFixedDelay(() -> guarded("desired-state refresh", desired::refresh), DESIRED_POLL.toMillis(),
                    DESIRED_POLL.toMillis(), TimeUnit.MILLISECONDS);
            // Its own thread: a grouped query over a large fleet must not delay the check-in batches.
            ScheduledExecutorService gaugeThread = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "klpfleet-metrics");
                t.setDaemon(true);
                return t;
            });
            FleetGauges gauges = new FleetGauges(db, cfg.clock(), metrics);
            long refresh = metricsRefresh(cfg).toMillis();
            gaugeThread.scheduleWithFixedDelay(() -> guarded("metrics refresh", gauges::refresh), 0, refresh, TimeUnit.MILLISECONDS);
            bg.scheduleWithFixedDelay(() -> guarded("last-seen flush", lastSeen::flush), LAST_SEEN_FLUSH.toMillis(),
                    LAST_SEEN_FLUSH.toMillis(), TimeUnit.MILLISECONDS);
            bg.scheduleWithFixedDelay(() -> guarded("credential revocation poll", hosts::refreshRevocations), 0,
                    DESIRED_POLL.toMillis(), TimeUnit.MILLISECONDS);
            bg.scheduleWithFixedDelay(() -> guarded("failed sign-in audit flush", signIns::flush), LAST_SEEN_FLUSH.toMillis(),
                    LAST_SEEN_FLUSH.toMillis(), TimeUnit.MILLISECONDS);

            RolloutEngine engine = new RolloutEngine(rollouts, new Lease(db, "rollout-engine", cfg.serverId(), RolloutEngine.LEASE_TTL),
                    cfg.clock(), cfg.engineTick(), metrics);

            QueuedThreadPool threads = new QueuedThreadPool(64, 4);
            threads.setName("klpfleet-http");
            Server jetty = new Server(threads);
            ServerConnector connector = cert == null ? TlsConnectors.plain(jetty) : TlsConnectors.connector(jetty, cert);
            connector.setHost(cfg.host());
            connector.setPort(cfg.port());
            connector.setAcceptQueueSize(1024);
            connector.setIdleTimeout(cfg.http().idleTimeout().toMillis());
            connector.addEventListener(new PerAddressLimit(cfg.http().maxConnectionsPerAddress()));
            jetty.addConnector(connector);
            jetty.addBean(new NetworkConnectionLimit(cfg.http().maxConnections(), connector));
            jetty.setErrorHandler(new JsonErrorHandler());
            jetty.setHandler(new ApiHandler(routes, access, hosts, signIns, audit, meters, cfg.http()));
            jetty.setStopTimeout(STOP_TIMEOUT.toMillis());
            jetty.start();
            Dashboard web = null;
            if (dashboard != null) {
                try {
                    web = Dashboard.start(dashboard, db, access, hosts, rollouts, cfg.clock(), cert);
                } catch (Exception e) {
                    jetty.stop();
                    throw e;
                }
            }
            engine.start();
            FleetServer server = new FleetServer(db, jetty, engine, lastSeen, List.of(bg, gaugeThread), note, cert);
            server.dashboard = web;
            if (web != null) {
                LOG.info("klpfleet dashboard on {}", web.uri());
            }
            LOG.info("klpfleet server on {} with {} ({}); trusted keys {}{}", server.uri(), cfg.database(), note, keys.ids(),
                    cert == null ? "; plain HTTP" : "; TLS certificate " + cert.source() + " fingerprint " + cert.fingerprint());
            return server;
        } catch (Exception | Error e) {
            db.close();
            throw e;
        }
    }

    /** The TLS certificate's fingerprint, or empty when serving plain HTTP. */
    public java.util.Optional<dev.klpfleet.protocol.transport.Fingerprint> fingerprint() {
        return java.util.Optional.ofNullable(certificate).map(ServerCertificate::fingerprint);
    }

    /** How often the fleet aggregates are re-read: every {@link #METRICS_REFRESH_TICKS} engine ticks. */
    static Duration metricsRefresh(ServerConfig cfg) {
        return cfg.engineTick().multipliedBy(METRICS_REFRESH_TICKS);
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> all = new java.util.ArrayList<>();
        for (List<T> l : lists) {
            all.addAll(l);
        }
        return all;
    }

    private static void guarded(String what, Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            LOG.warn("{} failed; retrying: {}", what, e.toString());
        }
    }

    /** The base URI the API is served on, e.g. {@code https://127.0.0.1:8443}. */
    public URI uri() {
        ServerConnector c = (ServerConnector) jetty.getConnectors()[0];
        String host = c.getHost() == null ? "127.0.0.1" : c.getHost();
        return URI.create((certificate == null ? "http://" : "https://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + c.getLocalPort());
    }

    /** The dashboard's base URI, or null when this server serves none. */
    public URI dashboardUri() {
        Dashboard d = dashboard;
        return d == null ? null : d.uri();
    }

    /** Where the bootstrap admin token came from, for the startup message. */
    public String bootstrapNote() {
        return bootstrapNote;
    }

    public Database database() {
        return db;
    }

    /** Blocks until the server stops. */
    public void join() throws InterruptedException {
        jetty.join();
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
        try {
            jetty.stop();
        } catch (Exception e) {
            LOG.warn("HTTP server did not stop cleanly: {}", e.toString());
        }
        engine.close();
        background.forEach(ScheduledExecutorService::shutdownNow);
        try {
            lastSeen.flush();
        } catch (RuntimeException e) {
            LOG.warn("last check-ins not written on shutdown: {}", e.toString());
        }
        db.close();
    }
}
