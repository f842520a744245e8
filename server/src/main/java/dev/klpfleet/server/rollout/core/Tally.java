package dev.klpfleet.server.rollout.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * How many of a rollout's hosts stand in each phase, per wave, and how many finished hosts the
 * gates count (those whose phase began at or after {@link RolloutState#gatesSince()}). The core
 * decides waves, the cap and the gate rates from these counters alone, so a step needs only the
 * hosts that can move (its window), not every host of the rollout. Zero counts are left out, so two
 * tallies of the same hosts are equal however they were reached.
 *
 * @param waves      index {@code wave + 1} (index 0 holds the no-build hosts, wave -1) to hosts by phase
 * @param sinceGates finished hosts by phase whose phase began at or after the gates' start
 * @param impactMax  the largest value of each gated impact field that hosts finishing since the
 *                   gates' start reported, for the figures (the gate itself trips on each host)
 */
public record Tally(List<Map<Phase, Long>> waves, Map<Phase, Long> sinceGates, Map<String, Double> impactMax) {

    public Tally {
        waves = waves == null ? List.of() : waves.stream().map(Tally::trimmed).toList();
        sinceGates = trimmed(sinceGates);
        impactMax = impactMax == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(impactMax));
    }

    /** This tally with {@code seen} (impact values of hosts that just finished) folded into its maxima. */
    Tally withImpact(Map<String, Double> seen) {
        if (seen.isEmpty()) {
            return this;
        }
        Map<String, Double> m = new java.util.TreeMap<>(impactMax);
        seen.forEach((k, v) -> m.merge(k, v, Math::max));
        return new Tally(waves, sinceGates, m);
    }

    /** The tally of {@code hosts} (all of a rollout's hosts) for a plan of {@code waveCount} waves. */
    public static Tally of(Collection<HostProgress> hosts, int waveCount, Instant gatesSince) {
        Counter c = new Counter(waveCount);
        for (HostProgress h : hosts) {
            c.add(h, gatesSince, 1);
        }
        return c.tally();
    }

    /** Hosts in wave {@code w} (-1: no build) and in {@code phase}. */
    public long count(int w, Phase phase) {
        int i = w + 1;
        return i < 0 || i >= waves.size() ? 0 : waves.get(i).getOrDefault(phase, 0L);
    }

    /** Hosts in {@code phase}, all waves. */
    public long count(Phase phase) {
        long n = 0;
        for (Map<Phase, Long> m : waves) {
            n += m.getOrDefault(phase, 0L);
        }
        return n;
    }

    /** Hosts assigned to wave {@code w}. */
    public long size(int w) {
        int i = w + 1;
        if (i < 0 || i >= waves.size()) {
            return 0;
        }
        long n = 0;
        for (long v : waves.get(i).values()) {
            n += v;
        }
        return n;
    }

    /** Every host of the rollout. */
    public long hosts() {
        long n = 0;
        for (int w = -1; w + 1 < waves.size(); w++) {
            n += size(w);
        }
        return n;
    }

    /** Hosts in waves 0..{@code w} that have not finished applying. */
    public long unfinishedThrough(int w) {
        long n = 0;
        for (int i = 1; i <= w + 1 && i < waves.size(); i++) {
            for (Map.Entry<Phase, Long> e : waves.get(i).entrySet()) {
                if (!e.getKey().finishedApply()) {
                    n += e.getValue();
                }
            }
        }
        return n;
    }

    /** Hosts in waves 0..{@code w} in {@code phase}. */
    public long countThrough(int w, Phase phase) {
        long n = 0;
        for (int i = 1; i <= w + 1 && i < waves.size(); i++) {
            n += waves.get(i).getOrDefault(phase, 0L);
        }
        return n;
    }

    /** Hosts whose own work is not over (see {@link Phase#inFlight()}). */
    public long inFlight() {
        long n = 0;
        for (Map<Phase, Long> m : waves) {
            for (Map.Entry<Phase, Long> e : m.entrySet()) {
                if (e.getKey().inFlight()) {
                    n += e.getValue();
                }
            }
        }
        return n;
    }

    /** Finished hosts counted by the gates in {@code phase}. */
    public long gated(Phase phase) {
        return sinceGates.getOrDefault(phase, 0L);
    }

    /** Finished hosts counted by the gates. */
    public long gatedFinished() {
        long n = 0;
        for (long v : sinceGates.values()) {
            n += v;
        }
        return n;
    }

    Counter counter() {
        return new Counter(this);
    }

    private static Map<Phase, Long> trimmed(Map<Phase, Long> m) {
        EnumMap<Phase, Long> out = new EnumMap<>(Phase.class);
        if (m != null) {
            m.forEach((p, n) -> {
                if (n != null && n != 0) {
                    out.put(p, n);
                }
            });
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    /** A step's working copy of a tally: plain arrays, moved host by host, frozen at the end. */
    static final class Counter {
        private final long[][] waves;
        private final long[] gated = new long[Phase.values().length];

        Counter(int waveCount) {
            waves = new long[waveCount + 1][Phase.values().length];
        }

        private Map<String, Double> impact = Map.of();

        Counter(Tally t) {
            this(t.waves().isEmpty() ? 0 : t.waves().size() - 1);
            impact = t.impactMax();
            for (int i = 0; i < t.waves().size(); i++) {
                for (Map.Entry<Phase, Long> e : t.waves().get(i).entrySet()) {
                    waves[i][e.getKey().ordinal()] = e.getValue();
                }
            }
            t.sinceGates().forEach((p, n) -> gated[p.ordinal()] = n);
        }

        void add(HostProgress h, Instant gatesSince, int sign) {
            int i = h.wave() + 1;
            if (i >= waves.length) {
                throw new IllegalStateException("host " + h.hostId() + " is in wave " + h.wave() + " of a plan with " + (waves.length - 1));
            }
            waves[i][h.phase().ordinal()] += sign;
            if (h.phase().finishedApply() && !h.since().isBefore(gatesSince)) {
                gated[h.phase().ordinal()] += sign;
            }
        }

        /** One host moved from {@code before} to {@code after}. */
        void moved(HostProgress before, HostProgress after, Instant gatesSince) {
            add(before, gatesSince, -1);
            add(after, gatesSince, 1);
        }

        /** Every host in one of {@code from} moved to {@code to} at {@code at}, window or not. */
        void shift(Set<Phase> from, Phase to, Instant at, Instant gatesSince) {
            for (long[] w : waves) {
                for (Phase p : from) {
                    w[to.ordinal()] += w[p.ordinal()];
                    w[p.ordinal()] = 0;
                }
            }
            for (Phase p : from) {
                gated[p.ordinal()] = 0;
            }
        }

        /** The gates start counting afresh: only the given hosts (the window) can have begun their phase since. */
        void regate(Collection<HostProgress> window, Instant gatesSince) {
            java.util.Arrays.fill(gated, 0);
            impact = Map.of();
            for (HostProgress h : window) {
                if (h.phase().finishedApply() && !h.since().isBefore(gatesSince)) {
                    gated[h.phase().ordinal()]++;
                }
            }
        }

        Tally tally() {
            Phase[] phases = Phase.values();
            List<Map<Phase, Long>> out = new ArrayList<>(waves.length);
            for (long[] w : waves) {
                EnumMap<Phase, Long> m = new EnumMap<>(Phase.class);
                for (Phase p : phases) {
                    if (w[p.ordinal()] != 0) {
                        m.put(p, w[p.ordinal()]);
                    }
                }
                out.add(m);
            }
            EnumMap<Phase, Long> g = new EnumMap<>(Phase.class);
            for (Phase p : phases) {
                if (gated[p.ordinal()] != 0) {
                    g.put(p, gated[p.ordinal()]);
                }
            }
            return new Tally(out, g, impact);
        }
    }
}
