package dev.klpfleet.server.rollout.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Builds a rollout's first state: assigns each targeted host to a wave, or to "no build". */
public final class Targeting {
    private Targeting() {}

    /** A host the rollout's selector matched. */
    public record Target(String hostId, Map<String, String> labels, boolean hasBuild) {}

    /**
     * Assigns hosts with a build to waves in a stable pseudo-random order (by a hash of rollout
     * id and host id, so two rollouts do not always pick the same canary). Label waves take every
     * unassigned host with the label; count and percent waves take the next hosts in order;
     * hosts left over join the last wave.
     */
    public static RolloutState initial(String rolloutId, Plan plan, List<Target> targets, Instant now) {
        // Each host's order key computed once (a SHA-256 per host), not once per comparison.
        Map<String, String> keys = new HashMap<>();
        for (Target t : targets) {
            if (t.hasBuild()) {
                keys.put(t.hostId(), order(rolloutId, t.hostId()));
            }
        }
        List<Target> withBuild = new ArrayList<>(targets.stream().filter(Target::hasBuild).toList());
        withBuild.sort(Comparator.comparing(t -> keys.get(t.hostId())));
        Map<String, HostProgress> hosts = new HashMap<>();
        for (Target t : targets) {
            if (!t.hasBuild()) {
                hosts.put(t.hostId(), new HostProgress(t.hostId(), -1, Phase.NO_BUILD, now));
            }
        }
        int total = withBuild.size();
        int assigned = 0;
        List<Wave> waves = plan.waves();
        for (int w = 0; w < waves.size(); w++) {
            Wave wave = waves.get(w);
            int take = switch (wave.kind()) {
                case COUNT -> wave.count();
                case PERCENT -> Math.max(0, (int) Math.ceil(wave.percent() * total / 100.0) - assigned);
                case LABEL -> 0;
            };
            String[] kv = wave.kind() == Wave.Kind.LABEL ? wave.label().split("=", 2) : null;
            for (Target t : withBuild) {
                if (hosts.containsKey(t.hostId())) {
                    continue;
                }
                boolean pick = kv != null ? kv[1].equals(t.labels().get(kv[0])) : take > 0;
                if (pick) {
                    hosts.put(t.hostId(), new HostProgress(t.hostId(), w, Phase.PENDING, now));
                    assigned++;
                    take--;
                }
            }
        }
        for (Target t : withBuild) {
            hosts.putIfAbsent(t.hostId(), new HostProgress(t.hostId(), waves.size() - 1, Phase.PENDING, now));
        }
        return new RolloutState(plan, Status.RUNNING, 0, null, now, null, new java.util.TreeMap<>(hosts));
    }

    private static String order(String rolloutId, String hostId) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest((rolloutId + "/" + hostId).getBytes(StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d) + hostId;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    /** The host ids in {@code state} that are in one of {@code phases}. */
    public static List<String> inPhase(RolloutState state, Set<Phase> phases) {
        return state.hosts().values().stream().filter(h -> phases.contains(h.phase())).map(HostProgress::hostId).toList();
    }
}
