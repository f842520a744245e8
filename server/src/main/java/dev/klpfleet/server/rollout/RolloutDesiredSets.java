package dev.klpfleet.server.rollout;

import dev.klpfleet.server.host.Desired;
import dev.klpfleet.server.host.DesiredSets;
import dev.klpfleet.server.storage.Database;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every host's desired set, derived from the active rollouts (see {@link Rollouts#active}) and
 * their artifacts, held in memory as a {@link DesiredSnapshot}. A rollout change made here
 * rebuilds it at once; the poller rebuilds it when the database's desired-state generation moved
 * for any other reason (another server process, an artifact upload). A host whose kernel changed
 * in a check-in is recomputed alone from the snapshot, and its generation noted, so the poller
 * does not rebuild the fleet for it.
 */
public final class RolloutDesiredSets implements DesiredSets {
    private static final Logger LOG = LoggerFactory.getLogger(RolloutDesiredSets.class);
    private final Rollouts rollouts;
    private final Database db;
    private final Object lock = new Object();
    private volatile DesiredSnapshot snapshot = DesiredSnapshot.empty();
    /** Changes applied while a rebuild reads the database, replayed onto its result; null between rebuilds. Guarded by lock. */
    private List<Replay> duringRebuild;
    /** Runs in {@link #forHost} between taking the snapshot and rendering from it; a test seam, otherwise nothing. */
    private volatile Runnable beforeRender = () -> {};
    /** Runs in {@link #rebuild} between reading the database and swapping the result in; a test seam, otherwise nothing. */
    private volatile Runnable afterRead = () -> {};

    /** A change applied in place to the snapshot, at a generation; {@code apply} is false when it cannot be applied to this snapshot. */
    private record Replay(long generation, java.util.function.Predicate<DesiredSnapshot> apply) {}

    public RolloutDesiredSets(Rollouts rollouts) {
        this.rollouts = rollouts;
        this.db = rollouts.db();
        rollouts.onDesiredChange(this::changed);
        refresh();
    }

    @Override
    public Desired forHost(String hostId) {
        DesiredSnapshot s = snapshot;
        beforeRender.run();
        return s.answer(hostId);
    }

    @Override
    public void kernelChanged(String hostId, String kernelRelease, long generation) {
        synchronized (lock) {
            snapshot.kernelChanged(hostId, kernelRelease, generation);
            if (duringRebuild != null) {
                duringRebuild.add(new Replay(generation, s -> {
                    s.kernelChanged(hostId, kernelRelease, generation);
                    return true;
                }));
            }
        }
    }

    /** Rebuilds if the generation moved since the last build for anything but kernel changes applied here; the poller calls this. */
    public void refresh() {
        long current = db.generation();
        boolean upToDate;
        synchronized (lock) {
            upToDate = snapshot.catchUp(current);
        }
        if (!upToDate) {
            rebuild();
        }
    }

    /** Reads the active rollouts, the hosts' kernels and the active rollouts' artifacts, and swaps in the result. */
    synchronized void rebuild() {
        synchronized (lock) {
            duringRebuild = new ArrayList<>();
        }
        Read read;
        try {
            read = read();
        } catch (RuntimeException e) {
            synchronized (lock) {
                duringRebuild = null;
            }
            throw e;
        }
        afterRead.run();
        DesiredSnapshot next = read.snapshot();
        synchronized (lock) {
            // The read may have missed a kernel change committed after it took the generation.
            boolean again = false;
            for (Replay c : duringRebuild) {
                if (c.generation() > next.generation()) {
                    again |= !c.apply().test(next);
                }
            }
            duringRebuild = null;
            snapshot = next;
            if (again) {
                // A step of a rollout the read did not see yet: only another read tells its hosts' sets.
                next.forceStale();
            }
        }
        countUncounted(read.uncounted());
    }

    /**
     * A committed step's change: applied to the snapshot host by host when it knows the rollout
     * (O(hosts changed), not O(fleet)), else by a rebuild.
     */
    void changed(Rollouts.DesiredChange c) {
        if (!c.whole() && !c.wants().isEmpty() && applyInPlace(c)) {
            return;
        }
        rebuild();
    }

    private boolean applyInPlace(Rollouts.DesiredChange c) {
        synchronized (lock) {
            if (!snapshot.knows(c.rolloutId())) {
                return false;
            }
        }
        Map<String, String> kernels = new HashMap<>();
        List<String> ids = new ArrayList<>(c.wants().keySet());
        db.withHandle(h -> {
            for (int i = 0; i < ids.size(); i += 500) {
                h.createQuery("SELECT id, kernel_release FROM hosts WHERE id IN (<ids>)").bindList("ids", ids.subList(i, Math.min(ids.size(), i + 500)))
                        .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2))).forEach(e -> kernels.put(e.getKey(), e.getValue()));
            }
            return null;
        });
        synchronized (lock) {
            if (!snapshot.knows(c.rolloutId())) {
                return false;
            }
            snapshot.wantsChanged(c.rolloutId(), c.wants(), c.attempts(), kernels, c.generation());
            if (duringRebuild != null) {
                duringRebuild.add(new Replay(c.generation(), s -> {
                    if (!s.knows(c.rolloutId())) {
                        return false;
                    }
                    s.wantsChanged(c.rolloutId(), c.wants(), c.attempts(), kernels, c.generation());
                    return true;
                }));
            }
        }
        return true;
    }

    /** Stores the count of rows read with none yet, so later rebuilds skip them once idle; best effort, the next rebuild tries again. */
    private void countUncounted(List<Rollouts.Active> rows) {
        if (rows.isEmpty()) {
            return;
        }
        try {
            db.inTransaction(h -> {
                rows.forEach(r -> Rollouts.count(h, r));
                return null;
            });
        } catch (RuntimeException e) {
            LOG.warn("counting the desired hosts of {} uncounted rollouts failed; retried at the next rebuild: {}", rows.size(), e.toString());
        }
    }

    /** A rebuild's result, and the rows it read whose desired hosts were not counted yet. */
    private record Read(DesiredSnapshot snapshot, List<Rollouts.Active> uncounted) {}

    private Read read() {
        return db.withHandle(h -> {
            // The generation first, so the rows read after it are at least as new as the number claims.
            long gen = h.createQuery("SELECT value FROM fleet_generation WHERE id = 'desired'").mapTo(Long.class).one();
            List<Rollouts.Active> active = rollouts.active(h);
            Map<String, String> kernels = new HashMap<>();
            h.createQuery("SELECT id, kernel_release FROM hosts").map((rs, ctx) -> Map.entry(rs.getString(1), rs.getString(2)))
                    .forEach(e -> kernels.put(e.getKey(), e.getValue()));
            Set<List<String>> versions = new LinkedHashSet<>();
            for (Rollouts.Active r : active) {
                versions.add(List.of(r.patch(), r.version()));
            }
            Map<String, DesiredSnapshot.Build> builds = new HashMap<>();
            for (List<String> pv : versions) {
                h.createQuery("SELECT kernel_release, sha256, module_name FROM artifacts WHERE patch_name = :p AND patch_version = :v")
                        .bind("p", pv.get(0)).bind("v", pv.get(1))
                        .map((rs, ctx) -> Map.entry(DesiredSnapshot.key(pv.get(0), pv.get(1), rs.getString(1)),
                                new DesiredSnapshot.Build(rs.getString(2), rs.getString(3))))
                        .forEach(e -> builds.put(e.getKey(), e.getValue()));
            }
            return new Read(DesiredSnapshot.of(gen, active, kernels, builds), active.stream().filter(r -> r.desiredHosts() < 0).toList());
        });
    }

    /** Test seam: {@code hook} runs inside every {@link #forHost} after the snapshot is taken. */
    void beforeRender(Runnable hook) {
        this.beforeRender = hook;
    }

    /** Test seam: {@code hook} runs inside every rebuild after the database is read, before the swap. */
    void afterRead(Runnable hook) {
        this.afterRead = hook;
    }
}
