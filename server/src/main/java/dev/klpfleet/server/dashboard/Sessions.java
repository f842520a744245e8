package dev.klpfleet.server.dashboard;

import dev.klpfleet.server.access.Principal;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Signed-in dashboard sessions, in this process's memory: an unguessable id (the cookie), the
 * operator it acts as, its CSRF token and when it expires. A restart signs everyone out.
 */
final class Sessions {
    /** Most sessions held at once; the oldest expiring ones go first when full. */
    static final int MAX_SESSIONS = 10_000;

    record Session(String id, Principal.Operator operator, String csrf, long expiresAtNanos) {}

    private final Map<String, Session> byId = new ConcurrentHashMap<>();
    private final SecureRandom random;
    private final LongSupplier nanos;
    private final Duration ttl;

    Sessions(SecureRandom random, LongSupplier nanos, Duration ttl) {
        this.random = random;
        this.nanos = nanos;
        this.ttl = ttl;
    }

    Duration ttl() {
        return ttl;
    }

    Session open(Principal.Operator who) {
        long now = nanos.getAsLong();
        if (byId.size() >= MAX_SESSIONS) {
            byId.values().removeIf(s -> s.expiresAtNanos() - now <= 0);
            byId.values().stream().min(java.util.Comparator.comparingLong(Session::expiresAtNanos)).ifPresent(s -> byId.remove(s.id()));
        }
        Session s = new Session(secret(), who, secret(), now + ttl.toNanos());
        byId.put(s.id(), s);
        return s;
    }

    /** The live session with this id; an expired one is dropped. */
    Optional<Session> get(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Session s = byId.get(id);
        if (s == null) {
            return Optional.empty();
        }
        if (s.expiresAtNanos() - nanos.getAsLong() <= 0) {
            byId.remove(id);
            return Optional.empty();
        }
        return Optional.of(s);
    }

    void close(String id) {
        if (id != null) {
            byId.remove(id);
        }
    }

    private String secret() {
        byte[] b = new byte[32];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
