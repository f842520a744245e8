package dev.klpfleet.server.rollout;

import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.access.TokenHash;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.host.Observed;
import dev.klpfleet.server.patch.PatchStore;
import dev.klpfleet.server.patch.TrustedKeys;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.Wave;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jdbi.v3.core.statement.PreparedBatch;

/**
 * Engine tick time against a real database (SQLite or PostgreSQL) holding one rollout of N
 * enrolled hosts: hosts are bulk-inserted, the rollout created through {@link Rollouts#create},
 * then each round M dispatched hosts report {@code applied} and one engine step is timed (it moves
 * those M hosts and dispatches the next M), with the desired-set cache rebuilt as the server does.
 */
public final class EngineBench {
    private EngineBench() {}

    /** One size's figures. */
    public record Figures(int hosts, int movedPerTick, double seedSeconds, double createSeconds, double tickMsMedian,
                          double tickMsMax, double idleTickMsMedian, double desiredRebuildMs, long heapUsedMb, String database) {}

    private static final String[] KERNELS = {"6.1.0-56-amd64", "6.12.117+deb12-amd64"};

    public static Figures run(DatabaseLocation location, int hosts, int move, int rounds, Consumer<String> progress) {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
        InstantSource clock = () -> now.get();
        try (Database db = Database.open(location)) {
            AuditLog audit = new AuditLog(db, clock);
            HostStore store = new HostStore(db, clock, new TokenHash(new byte[32]), audit);
            PatchStore patches = new PatchStore(db, clock, new TrustedKeys(List.of()), audit);
            Rollouts rollouts = new Rollouts(db, clock, store, patches, audit);
            long t0 = System.nanoTime();
            seed(db, hosts, now.get().toEpochMilli());
            double seedSeconds = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format("%d hosts seeded in %.1f s", hosts, seedSeconds));
            RolloutDesiredSets desired = new RolloutDesiredSets(rollouts);
            Plan plan = new Plan(List.of(Wave.percent("all", 100)), Duration.ZERO, move,
                    new Gates(0.0, 0.0, Duration.ofDays(1), Map.of(), Gates.Action.PAUSE));
            t0 = System.nanoTime();
            Rollouts.Outcome o = rollouts.create(new RolloutRequest("bench_fix", "1", null, plan),
                    new Principal.Operator("bench", "bench", Role.ADMIN, "bench"));
            if (!(o instanceof Rollouts.Outcome.Done done)) {
                throw new IllegalStateException("bench rollout not created: " + o);
            }
            String id = done.view().id();
            double createSeconds = (System.nanoTime() - t0) / 1e9;
            progress.accept(String.format("rollout of %d hosts created in %.1f s", hosts, createSeconds));
            now.set(now.get().plusSeconds(1));
            rollouts.stepAll();
            List<Double> ticks = new ArrayList<>();
            List<Double> idle = new ArrayList<>();
            for (int r = 0; r < rounds; r++) {
                now.set(now.get().plusSeconds(1));
                report(db, id, now.get().toEpochMilli(), r);
                now.set(now.get().plusMillis(1));
                long s = System.nanoTime();
                rollouts.stepAll();
                ticks.add((System.nanoTime() - s) / 1e6);
                now.set(now.get().plusSeconds(1));
                s = System.nanoTime();
                rollouts.stepAll();
                idle.add((System.nanoTime() - s) / 1e6);
            }
            long s = System.nanoTime();
            desired.rebuild();
            double rebuild = (System.nanoTime() - s) / 1e6;
            System.gc();
            Runtime rt = Runtime.getRuntime();
            long heap = (rt.totalMemory() - rt.freeMemory()) / (1024 * 1024);
            Collections.sort(ticks);
            Collections.sort(idle);
            return new Figures(hosts, move, round(seedSeconds), round(createSeconds), round(ticks.get(ticks.size() / 2)),
                    round(ticks.get(ticks.size() - 1)), round(idle.get(idle.size() / 2)), round(rebuild), heap, location.toString());
        }
    }

    /** Bulk-inserts the catalog (one version built for both kernels) and {@code n} enrolled hosts, 5,000 rows a batch. */
    static void seed(Database db, int n, long at) {
        db.inTransaction(h -> {
            h.execute("INSERT INTO patches (name, description, cves_json, created_at) VALUES ('bench_fix', '', '[]', ?)", at);
            h.execute("INSERT INTO patch_versions (patch_name, version, created_at) VALUES ('bench_fix', '1', ?)", at);
            for (String k : KERNELS) {
                h.execute("INSERT INTO artifacts (sha256, patch_name, patch_version, kernel_release, module_name, size_bytes, manifest_json, "
                        + "signature, key_id, content_base64, uploaded_at) VALUES (?, 'bench_fix', '1', ?, 'bench_fix.ko', 0, '{}', '', '', '', ?)",
                        String.format("%064x", k.hashCode() & 0xffffffffL), k, at);
            }
            return null;
        });
        seedHosts(db, n, at, "h_bench");
    }

    /**
     * Bulk-inserts {@code n} enrolled hosts with ids {@code prefix} + an 8-digit number, 5,000 rows a
     * batch in one transaction each (as enrolled, never checked in since {@code at}).
     */
    public static void seedHosts(Database db, int n, long at, String prefix) {
        String observed = FleetJson.write(Observed.NOTHING);
        int batch = 5_000;
        for (int from = 0; from < n; from += batch) {
            int start = from;
            db.inTransaction(h -> {
                PreparedBatch b = h.prepareBatch("INSERT INTO hosts (id, hostname, kernel_release, distro, labels_json, host_labels_json, "
                        + "capabilities_json, observed_json, credential_hash, hash_kind, enrollment_token_id, enrolled_at, last_seen_at) "
                        + "VALUES (:id, :id, :k, 'debian 12', '{}', '{}', '[\"livepatch\"]', :o, :id, 'hmac', 'bench', :at, :at)");
                for (int i = start; i < Math.min(n, start + batch); i++) {
                    b.bind("id", String.format("%s%08d", prefix, i)).bind("k", KERNELS[i % 2]).bind("o", observed).bind("at", at).add();
                }
                b.execute();
                return null;
            });
        }
    }

    /** Every dispatched host of rollout {@code id} reports {@code applied} at {@code at}. */
    private static void report(Database db, String id, long at, int round) {
        db.inTransaction(h -> {
            List<String> hosts = h.createQuery("SELECT host_id FROM rollout_hosts WHERE rollout_id = :id AND phase = 'DISPATCHED'")
                    .bind("id", id).mapTo(String.class).list();
            PreparedBatch b = h.prepareBatch("INSERT INTO host_events (host_id, event_id, kind, patch_name, patch_version, result, evidence_json, "
                    + "occurred_at, received_at) VALUES (:h, :e, 'apply', 'bench_fix', '1', 'applied', '{}', :at, :at)");
            for (String host : hosts) {
                b.bind("h", host).bind("e", "bench-" + round).bind("at", at).add();
            }
            if (!hosts.isEmpty()) {
                b.execute();
            }
            h.execute("UPDATE hosts SET last_seen_at = ? WHERE id IN (SELECT host_id FROM rollout_hosts WHERE rollout_id = ? AND phase = 'DISPATCHED')", at, id);
            return null;
        });
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
