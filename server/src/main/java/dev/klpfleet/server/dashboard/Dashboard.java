package dev.klpfleet.server.dashboard;

import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.analytics.Analytics;
import dev.klpfleet.server.cve.Exposure;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.rollout.Rollouts;
import dev.klpfleet.server.storage.Database;
import java.net.URI;
import java.security.SecureRandom;
import java.time.InstantSource;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/** The dashboard's own Jetty server on its own port, over the control plane's services. */
public final class Dashboard implements AutoCloseable {
    private final Server jetty;

    private Dashboard(Server jetty) {
        this.jetty = jetty;
    }

    /** Serves the dashboard with {@code certificate} (the API's, so one fingerprint names the server), or plain HTTP when null. */
    public static Dashboard start(DashboardOptions o, Database db, AccessStore access, HostStore hosts, Rollouts rollouts, InstantSource clock,
                                  dev.klpfleet.server.tls.ServerCertificate certificate) throws Exception {
        Pages pages = new Pages(new FleetQueries(db), hosts, rollouts, new Analytics(db), new Exposure(db), clock);
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("klpfleet-dashboard");
        Server jetty = new Server(threads);
        ServerConnector connector = certificate == null ? dev.klpfleet.server.tls.TlsConnectors.plain(jetty)
                : dev.klpfleet.server.tls.TlsConnectors.connector(jetty, certificate);
        connector.setHost(o.host());
        connector.setPort(o.port());
        jetty.addConnector(connector);
        jetty.setHandler(new DashboardHandler(access, rollouts, pages, new Sessions(new SecureRandom(), System::nanoTime, o.sessionTtl())));
        jetty.start();
        return new Dashboard(jetty);
    }

    public URI uri() {
        ServerConnector c = (ServerConnector) jetty.getConnectors()[0];
        String host = c.getHost() == null ? "127.0.0.1" : c.getHost();
        boolean tls = c.getConnectionFactory(org.eclipse.jetty.server.SslConnectionFactory.class) != null;
        return URI.create((tls ? "https://" : "http://") + (host.contains(":") ? "[" + host + "]" : host) + ":" + c.getLocalPort());
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            // stopping is best effort at shutdown
        }
    }
}
