package dev.klpfleet.server.simulate;

import dev.klpfleet.server.rollout.core.Plan;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A simulated fleet, patch and plan (docs/SIMULATE.md). Every field may be left out (null) and
 * takes its {@link #defaults()} value: a good patch over a million hosts on the two kernel
 * releases measured in docs/BENCHMARKS.md, under {@link Plan#defaults()}.
 *
 * @param name     shown in results
 * @param hosts    how many hosts
 * @param horizon  how much virtual time to run at most
 * @param tick     the engine's step interval (the server's default is 1 s)
 * @param fleet    the hosts
 * @param patch    how the patch behaves on each release
 * @param plan     waves, soak, cap and gates, exactly as {@code rollout create} takes them
 */
public record SimScenario(String name, Integer hosts, Duration horizon, Duration tick, Fleet fleet, Patch patch, Plan plan) {

    /**
     * @param releases        kernel releases and the share of hosts on each (shares are normalized)
     * @param labels          labels given to a share of the hosts (for label waves), e.g. {@code tier=canary}
     * @param checkinInterval the agents' check-in interval
     * @param jitter          fraction (0..1) of the interval each check-in may come early or late
     * @param silentShare     fraction (0..1) of hosts that stop checking in at a random time within the horizon
     */
    public record Fleet(List<Release> releases, List<Label> labels, Duration checkinInterval, Double jitter, Double silentShare) {}

    public record Release(String release, double share) {}

    public record Label(String label, double share) {}

    /**
     * @param byRelease  per-release behaviour; a release left out behaves as {@code others}
     * @param others     behaviour on every release not listed
     */
    public record Patch(Map<String, Behaviour> byRelease, Behaviour others) {}

    /**
     * How the patch behaves on one release. The default apply time and impact are the real-kernel
     * figures (see {@link #MEASURED}).
     *
     * @param loadFail  chance (0..1) the load fails (the agent reports load-failed)
     * @param stall     chance (0..1) the transition stalls (the agent reports stalled-reverted after {@code stallFor})
     * @param stallFor  how long a stalled transition waits before it is reverted
     * @param crash     chance (0..1) the host crashes after applying (it reports a crash health event after {@code crashAfter})
     * @param crashAfter longest delay from applying to the crash (uniform up to it)
     * @param applyTime median time from the host learning of the dispatch to its result
     * @param applySpread the apply time is uniform within median × (1 ± spread)
     * @param impact    the impact figures the host reports, by dotted path ({@code insmod.ksoftirqdMaxDelayNanos})
     * @param stallClears chance (0..1) that a host whose transition stalled applies on its next attempt (a
     *                  blocking task that left the patched function); the others stall on every attempt, as a
     *                  kernel thread asleep in it for good. Only matters when the plan grants more than one attempt.
     */
    public record Behaviour(Double loadFail, Double stall, Duration stallFor, Double crash, Duration crashAfter,
                            Duration applyTime, Double applySpread, Map<String, Double> impact, Double stallClears) {

        /** A behaviour whose stalls never clear on a retry. */
        public Behaviour(Double loadFail, Double stall, Duration stallFor, Double crash, Duration crashAfter,
                         Duration applyTime, Double applySpread, Map<String, Double> impact) {
            this(loadFail, stall, stallFor, crash, crashAfter, applyTime, applySpread, impact, null);
        }

        /**
         * Real-kernel figures: apply time is klpfleet's median load on 6.1 and 6.12 under qemu TCG
         * (9.9 s, docs/BENCHMARKS.md "live-patch load"), impact the ksoftirqd delay in the 6.12
         * "applied" recording (protocol/src/test/resources/evidence), about 7.5 ms.
         */
        public static final Behaviour MEASURED = new Behaviour(0.0, 0.0, Duration.ofSeconds(60), 0.0, Duration.ofMinutes(30),
                Duration.ofMillis(9_900), 0.2, Map.of("insmod.ksoftirqdMaxDelayNanos", 7_499_783.0), 0.0);

        /** This behaviour with every field left out taken from {@code d}. */
        Behaviour or(Behaviour d) {
            return new Behaviour(loadFail == null ? d.loadFail : loadFail, stall == null ? d.stall : stall,
                    stallFor == null ? d.stallFor : stallFor, crash == null ? d.crash : crash, crashAfter == null ? d.crashAfter : crashAfter,
                    applyTime == null ? d.applyTime : applyTime, applySpread == null ? d.applySpread : applySpread,
                    impact == null ? d.impact : impact, stallClears == null ? d.stallClears : stallClears);
        }

        /** True when the patch does harm on this release: some hosts fail, stall or crash. */
        boolean bad() {
            return loadFail > 0 || stall > 0 || crash > 0;
        }
    }

    public static SimScenario defaults() {
        return new SimScenario("good patch", 1_000_000, Duration.ofDays(7), Duration.ofSeconds(10),
                new Fleet(List.of(new Release("6.1.0-56-amd64", 0.5), new Release("6.12.117+deb12-amd64", 0.5)), List.of(),
                        Duration.ofSeconds(60), 0.1, 0.0),
                new Patch(Map.of(), Behaviour.MEASURED), Plan.defaults());
    }

    /** This scenario with every field left out taken from {@link #defaults()}. */
    public SimScenario complete() {
        SimScenario d = defaults();
        Fleet f = fleet == null ? d.fleet : new Fleet(fleet.releases == null || fleet.releases.isEmpty() ? d.fleet.releases : fleet.releases,
                fleet.labels == null ? List.of() : fleet.labels, fleet.checkinInterval == null ? d.fleet.checkinInterval : fleet.checkinInterval,
                fleet.jitter == null ? d.fleet.jitter : fleet.jitter, fleet.silentShare == null ? 0.0 : fleet.silentShare);
        Behaviour others = patch == null || patch.others == null ? Behaviour.MEASURED : patch.others.or(Behaviour.MEASURED);
        Map<String, Behaviour> by = new java.util.TreeMap<>();
        if (patch != null && patch.byRelease != null) {
            patch.byRelease.forEach((k, v) -> by.put(k, v.or(others)));
        }
        return new SimScenario(name == null ? "unnamed" : name, hosts == null ? d.hosts : hosts, horizon == null ? d.horizon : horizon,
                tick == null ? d.tick : tick, f, new Patch(by, others), plan == null ? d.plan : plan);
    }

    /** A one-line reason the (completed) scenario is unusable, or null. */
    public String problem() {
        if (hosts < 1 || hosts > Simulator.MAX_HOSTS) {
            return "hosts must be within 1.." + Simulator.MAX_HOSTS;
        }
        if (horizon.isNegative() || horizon.isZero() || horizon.compareTo(Duration.ofDays(365)) > 0) {
            return "horizon must be positive and at most 365 days";
        }
        if (tick.toMillis() < 1000 || tick.compareTo(Duration.ofHours(1)) > 0) {
            return "tick must be within 1 s..1 h";
        }
        if (fleet.checkinInterval.toMillis() < 1000) {
            return "fleet.checkinInterval must be at least 1 s";
        }
        if (!(fleet.jitter >= 0 && fleet.jitter < 1) || !(fleet.silentShare >= 0 && fleet.silentShare <= 1)) {
            return "fleet.jitter must be within 0..1 (exclusive) and fleet.silentShare within 0..1";
        }
        if (fleet.releases.size() > 250 || fleet.releases.stream().anyMatch(r -> r.release == null || !(r.share > 0))) {
            return "fleet.releases: at most 250, each with a release name and a share > 0";
        }
        for (Label l : fleet.labels) {
            if (l.label == null || l.label.indexOf('=') < 1 || !(l.share >= 0 && l.share <= 1)) {
                return "fleet.labels: each needs label key=value and a share within 0..1";
            }
        }
        String p = plan.problem();
        if (p != null) {
            return "plan: " + p;
        }
        for (Map.Entry<String, Behaviour> e : patch.byRelease.entrySet()) {
            String b = behaviourProblem(e.getValue());
            if (b != null) {
                return "patch.byRelease." + e.getKey() + ": " + b;
            }
        }
        String b = behaviourProblem(patch.others);
        return b == null ? null : "patch.others: " + b;
    }

    private static String behaviourProblem(Behaviour b) {
        for (double v : new double[] {b.loadFail, b.stall, b.crash, b.stallClears}) {
            if (!(v >= 0 && v <= 1)) {
                return "loadFail, stall, crash and stallClears are chances within 0..1";
            }
        }
        if (b.loadFail + b.stall > 1) {
            return "loadFail + stall must be at most 1";
        }
        if (b.applyTime.isNegative() || b.stallFor.isNegative() || b.crashAfter.isNegative() || !(b.applySpread >= 0 && b.applySpread < 1)) {
            return "applyTime, stallFor and crashAfter must not be negative, applySpread within 0..1 (exclusive)";
        }
        return null;
    }
}
