package dev.klpfleet.server.rollout;

import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.server.host.Desired;
import dev.klpfleet.server.rollout.core.HostProgress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One build of every host's desired set from the active rollouts and their artifacts, with the
 * answers rendered from it. An answer is cached only in the snapshot it was computed from, so a
 * reader still holding a replaced snapshot can never put its answer into the new one.
 *
 * <p>For each patch, a host wants the version of the newest active rollout in which it is
 * dispatched, retrying, applied or stalled and which has an artifact for its kernel release; rolling back
 * a newer version thus falls back to the older one. Each entry carries the attempt the rollout tells
 * the host to make ({@link DesiredAttempt}).
 */
final class DesiredSnapshot {
    /** A rollout that wants a host to have its patch. */
    record Want(String rolloutId, String patch, String version) {}

    /** The artifact of a patch version for one kernel release. */
    record Build(String sha256, String moduleName) {}

    /** Desired-state generation the data is at least as new as; guarded by the owner's lock. */
    private long generation;
    /** Generations above {@link #generation} whose only change (a host's kernel) is already applied here; guarded by the owner's lock. */
    private final Set<Long> applied = new HashSet<>();
    /** Host id to the rollouts wanting it, oldest first. */
    private final Map<String, List<Want>> wantedBy;
    /** {@link #key} to the artifact; only patch versions of active rollouts. */
    private final Map<String, Build> builds;
    private final Map<String, List<DesiredPatch>> byHost = new ConcurrentHashMap<>();
    private final Map<String, Desired> rendered = new ConcurrentHashMap<>();

    /** The rollouts this snapshot was built from, by id, in their order (oldest first); guarded by the owner's lock. */
    private final Map<String, Integer> order = new HashMap<>();
    private final Map<String, Want> wants = new HashMap<>();
    /** Rollout id to the hosts past their first attempt in it, with that attempt; guarded by the owner's lock. */
    private final Map<String, Map<String, DesiredAttempt>> retried = new HashMap<>();

    private DesiredSnapshot(long generation, Map<String, List<Want>> wantedBy, Map<String, Build> builds) {
        this.generation = generation;
        this.wantedBy = wantedBy;
        this.builds = builds;
    }

    static DesiredSnapshot empty() {
        return new DesiredSnapshot(-1, Map.of(), Map.of());
    }

    /** Builds from rollouts given oldest first, the kernel release of every host, and the artifacts by {@link #key}. */
    static DesiredSnapshot of(long generation, List<Rollouts.Active> active, Map<String, String> kernels, Map<String, Build> builds) {
        Map<String, List<Want>> wantedBy = new HashMap<>();
        Map<String, Want> byRollout = new HashMap<>();
        for (Rollouts.Active r : active) {
            Want w = new Want(r.id(), r.patch(), r.version());
            byRollout.put(r.id(), w);
            for (String host : r.wanting()) {
                wantedBy.computeIfAbsent(host, k -> new ArrayList<>()).add(w);
            }
        }
        DesiredSnapshot s = new DesiredSnapshot(generation, wantedBy, Map.copyOf(builds));
        for (int i = 0; i < active.size(); i++) {
            s.order.put(active.get(i).id(), i);
        }
        s.wants.putAll(byRollout);
        for (Rollouts.Active r : active) {
            if (!r.retried().isEmpty()) {
                s.retried.put(r.id(), new HashMap<>(r.retried()));
            }
        }
        wantedBy.forEach((host, wants) -> {
            String kernel = kernels.get(host);
            if (kernel != null) {
                s.byHost.put(host, s.desiredFor(host, kernel));
            }
        });
        return s;
    }

    static String key(String patch, String version, String kernelRelease) {
        return patch + "\u0000" + version + "\u0000" + kernelRelease;
    }

    /** The host's desired set on {@code kernelRelease}: O(rollouts wanting the host). */
    List<DesiredPatch> desiredFor(String hostId, String kernelRelease) {
        Map<String, DesiredPatch> byPatch = new TreeMap<>();
        for (Want w : wantedBy.getOrDefault(hostId, List.of())) {
            Build b = builds.get(key(w.patch(), w.version(), kernelRelease));
            if (b != null) {
                DesiredAttempt a = retried.getOrDefault(w.rolloutId(), Map.of()).getOrDefault(hostId, DesiredAttempt.FIRST);
                byPatch.put(w.patch(), new DesiredPatch(w.patch(), w.version(), b.sha256(), b.moduleName(), w.rolloutId(),
                        a.number(), a.notBefore()));
            }
        }
        return List.copyOf(byPatch.values());
    }

    /** The rendered answer for {@code hostId}, computed once per snapshot and host. */
    Desired answer(String hostId) {
        return rendered.computeIfAbsent(hostId, id -> Desired.of(id, byHost.getOrDefault(id, List.of())));
    }

    /**
     * Recomputes one host for its new kernel release. The rendered answer is overwritten after
     * the set is stored, so a concurrent {@link #answer} that read the old set cannot outlive it.
     * Call under the owner's lock.
     */
    void kernelChanged(String hostId, String kernelRelease, long changeGeneration) {
        List<DesiredPatch> next = desiredFor(hostId, kernelRelease);
        byHost.put(hostId, next);
        rendered.put(hostId, Desired.of(hostId, next));
        if (changeGeneration > generation) {
            applied.add(changeGeneration);
        }
    }

    /** Whether this snapshot was built with rollout {@code rolloutId}, so a change of its hosts can be applied here. Call under the owner's lock. */
    boolean knows(String rolloutId) {
        return order.containsKey(rolloutId);
    }

    /**
     * Applies one committed step of rollout {@code rolloutId} (known here): each host in
     * {@code changed} began or went on (true) or stopped wanting its patch, at the attempt
     * {@code attempts} gives it (the first when absent); {@code kernels} holds their kernel releases.
     * As {@link #kernelChanged}, the rendered answer is overwritten after the set is stored.
     * O(hosts changed). Call under the owner's lock.
     */
    void wantsChanged(String rolloutId, Map<String, Boolean> changed, Map<String, DesiredAttempt> attempts, Map<String, String> kernels,
                      long changeGeneration) {
        Want w = wants.get(rolloutId);
        int rank = order.get(rolloutId);
        changed.forEach((host, wanting) -> {
            DesiredAttempt a = wanting ? attempts.getOrDefault(host, DesiredAttempt.FIRST) : DesiredAttempt.FIRST;
            if (a.first()) {
                Map<String, DesiredAttempt> m = retried.get(rolloutId);
                if (m != null && m.remove(host) != null && m.isEmpty()) {
                    retried.remove(rolloutId);
                }
            } else {
                retried.computeIfAbsent(rolloutId, k -> new HashMap<>()).put(host, a);
            }
            List<Want> list = new ArrayList<>(wantedBy.getOrDefault(host, List.of()));
            list.remove(w);
            if (wanting) {
                int at = 0;
                while (at < list.size() && order.getOrDefault(list.get(at).rolloutId(), -1) < rank) {
                    at++;
                }
                list.add(at, w);
            }
            if (list.isEmpty()) {
                wantedBy.remove(host);
            } else {
                wantedBy.put(host, list);
            }
            String kernel = kernels.get(host);
            List<DesiredPatch> next = kernel == null ? List.of() : desiredFor(host, kernel);
            byHost.put(host, next);
            rendered.put(host, Desired.of(host, next));
        });
        if (changeGeneration > generation) {
            applied.add(changeGeneration);
        }
    }

    /** Makes {@link #catchUp} fail until the next rebuild. Call under the owner's lock. */
    void forceStale() {
        generation = Long.MIN_VALUE / 2;
        applied.clear();
    }

    long generation() {
        return generation;
    }

    /**
     * True if this snapshot is current at {@code dbGeneration}: built at or after it, or every
     * generation since it was built is a kernel change already applied here. Call under the owner's lock.
     */
    boolean catchUp(long dbGeneration) {
        if (dbGeneration <= generation) {
            return true;
        }
        if (dbGeneration - generation > applied.size()) {
            return false;
        }
        for (long g = generation + 1; g <= dbGeneration; g++) {
            if (!applied.contains(g)) {
                return false;
            }
        }
        generation = dbGeneration;
        applied.removeIf(g -> g <= dbGeneration);
        return true;
    }
}
