package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.server.host.Desired;
import dev.klpfleet.server.host.DesiredSets;
import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every host's desired set, derived from all rollouts and artifacts, held in memory. Rebuilt
 * whole when the database's desired-state generation moves (any server process's change);
 * each host's rendered answer is then computed once and served until the next rebuild.
 *
 * <p>For each patch, a host wants the version of the newest rollout in which it is dispatched,
 * applied or stalled, using the artifact built for its current kernel release; rolling back a
 * newer version thus falls back to the older one.
 */
public final class RolloutDesiredSets implements DesiredSets {
    private final Rollouts rollouts;
    private final Database db;
    private volatile Snapshot snapshot = new Snapshot(-1, Map.of());
    private final Map<String, Desired> rendered = new ConcurrentHashMap<>();

    private record Snapshot(long generation, Map<String, List<DesiredPatch>> byHost) {}

    public RolloutDesiredSets(Rollouts rollouts) {
        this.rollouts = rollouts;
        this.db = rollouts.db();
        rollouts.onDesiredChange(this::invalidate);
        refresh();
    }

    @Override
    public Desired forHost(String hostId) {
        Snapshot s = snapshot;
        return rendered.computeIfAbsent(hostId, id -> Desired.of(id, s.byHost().getOrDefault(id, List.of())));
    }

    @Override
    public void invalidate() {
        rebuild();
    }

    /** Rebuilds if the generation moved since the last build; the poller calls this. */
    public void refresh() {
        if (db.generation() != snapshot.generation()) {
            rebuild();
        }
    }

    private synchronized void rebuild() {
        Snapshot next = db.withHandle(h -> {
            long gen = h.createQuery("SELECT value FROM fleet_generation WHERE id = 'desired'").mapTo(Long.class).one();
            Map<String, String> kernels = new HashMap<>();
            h.createQuery("SELECT id, kernel_release FROM hosts").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> kernels.put(e.getKey(), e.getValue()));
            Map<String, String[]> artifacts = new HashMap<>();
            h.createQuery("SELECT patch_name, patch_version, kernel_release, sha256, module_name FROM artifacts")
                    .map((rs, ctx) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5)})
                    .forEach(a -> artifacts.put(a[0] + "\u0000" + a[1] + "\u0000" + a[2], a));
            // Oldest first, so a newer rollout of the same patch overwrites an older one's entry.
            Map<String, Map<String, DesiredPatch>> byHost = new HashMap<>();
            for (Rollouts.Active r : rollouts.all(h)) {
                for (HostProgress hp : r.state().hosts().values()) {
                    if (!hp.phase().wantsPatch()) {
                        continue;
                    }
                    String[] a = artifacts.get(r.patch() + "\u0000" + r.version() + "\u0000" + kernels.get(hp.hostId()));
                    if (a != null) {
                        byHost.computeIfAbsent(hp.hostId(), k -> new HashMap<>())
                                .put(r.patch(), new DesiredPatch(r.patch(), r.version(), a[3], a[4], r.id()));
                    }
                }
            }
            Map<String, List<DesiredPatch>> lists = new HashMap<>();
            byHost.forEach((host, m) -> {
                List<DesiredPatch> l = new ArrayList<>(m.values());
                l.sort(Comparator.comparing(DesiredPatch::patch));
                lists.put(host, List.copyOf(l));
            });
            return new Snapshot(gen, lists);
        });
        snapshot = next;
        rendered.clear();
    }
}
