package dev.klpfleet.server;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.io.Connection;

/**
 * Closes a new connection at once when its client address already holds {@code max}, so one
 * client cannot take every connection the server will serve.
 */
final class PerAddressLimit implements Connection.Listener {
    private final int max;
    private final ConcurrentHashMap<InetAddress, AtomicInteger> open = new ConcurrentHashMap<>();
    private final AtomicInteger refused = new AtomicInteger();

    PerAddressLimit(int max) {
        this.max = max;
    }

    @Override
    public void onOpened(Connection connection) {
        InetAddress a = address(connection);
        if (a == null) {
            return;
        }
        int now = open.computeIfAbsent(a, k -> new AtomicInteger()).incrementAndGet();
        if (now > max) {
            refused.incrementAndGet();
            connection.getEndPoint().close();
        }
    }

    @Override
    public void onClosed(Connection connection) {
        InetAddress a = address(connection);
        if (a == null) {
            return;
        }
        open.computeIfPresent(a, (k, n) -> n.decrementAndGet() <= 0 ? null : n);
    }

    /** Connections closed at once because their address held the maximum, since start. */
    int refused() {
        return refused.get();
    }

    private static InetAddress address(Connection c) {
        SocketAddress s = c.getEndPoint().getRemoteSocketAddress();
        return s instanceof InetSocketAddress i ? i.getAddress() : null;
    }
}
