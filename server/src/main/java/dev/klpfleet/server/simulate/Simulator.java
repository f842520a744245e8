package dev.klpfleet.server.simulate;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.Outcome;
import dev.klpfleet.protocol.outcome.UnloadResult;
import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Targeting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Runs the server's own rollout decision core ({@link RolloutCore}, {@link Targeting}) against
 * simulated hosts in virtual time: discrete events from a priority queue, no sleeping, one engine
 * step per tick with only the hosts that have news (results, crashes, silence) and the next pending
 * ones, as the server's engine steps. Per-host state lives in primitive arrays (about 70 bytes a
 * host), so a million hosts fit in a few hundred MB. Deterministic for a seed: one random stream,
 * consumed in event order.
 *
 * <p>Retries of stalled transitions (the plan's {@code stallAttempts}) are the core's: a host it makes
 * RETRYING learns its next attempt at its first check-in at or after the attempt's {@code notBefore},
 * and that attempt applies if its stall was transient ({@link SimScenario.Behaviour#stallClears}), else
 * stalls again.
 */
public final class Simulator {
    public static final int MAX_HOSTS = (1 << EventQueue.HOST_BITS) - 1;
    /** Virtual instant zero. */
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    private static final int LEARN_APPLY = 0;
    private static final int RESULT = 1;
    private static final int CRASH = 2;
    private static final int LEARN_UNLOAD = 3;
    private static final int UNLOADED = 4;
    private static final int SILENCE = 5;

    private static final Phase[] PHASES = Phase.values();
    private static final ApplyResult[] APPLY = ApplyResult.values();

    private final SimScenario sc;
    private final long seed;
    private final SplittableRandom random;
    private final int n;
    private final long interval;
    private final long jitter;
    private final long tick;
    private final long horizon;
    private final long silenceMs;

    // Per host, by index; host ids are "h" + the zero-padded index, so id order is index order.
    private final byte[] release;
    private final byte[] wave;
    private final byte[] phase;
    private final long[] since;
    private final byte[] result;
    private final long[] resultAt;
    private final long[] healthAt;
    private final long[] silentAt;
    private final int[] offset;
    private final long[] exposedAt;
    private final long[] exposedUntil;
    private final boolean[] loaded;
    private final boolean[] news;
    /** The attempt the host is on (0 before its dispatch), the attempt its queued result is of, and when a retry may start (-1: none). */
    private final byte[] attempt;
    private final byte[] resultAttempt;
    private final long[] notBefore;
    /** Whether the host's stall, once it stalled, recurs on every attempt. */
    private final boolean[] stallsForGood;
    private final int idWidth;

    private final SimScenario.Behaviour[] behaviour;
    private final String[] releaseNames;
    /** Per wave, its hosts in id order, and how many of them were dispatched (they leave PENDING only in order). */
    private final int[][] members;
    private final int[] taken;

    private final EventQueue queue = new EventQueue();
    private final IntList newsList = new IntList();
    private RolloutState state;

    // Results.
    private final Map<Decision.Kind, Long> decisions = new EnumMap<>(Decision.Kind.class);
    private final List<SimResult.TimelineRow> timeline = new ArrayList<>();
    private long firstBadAt = -1;
    private long haltAt = -1;
    private String haltReason;
    private long exposed;
    private final long[] appliedAt = {-1, -1, -1, -1};
    private static final double[] MILESTONES = {0.5, 0.9, 0.99, 1.0};

    public Simulator(SimScenario scenario, long seed) {
        this.sc = scenario.complete();
        String problem = sc.problem();
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        this.seed = seed;
        this.random = new SplittableRandom(seed);
        this.n = sc.hosts();
        this.interval = sc.fleet().checkinInterval().toMillis();
        this.jitter = (long) (interval * sc.fleet().jitter());
        this.tick = sc.tick().toMillis();
        this.horizon = sc.horizon().toMillis();
        this.silenceMs = sc.plan().gates().silenceAfterApply().toMillis();
        this.idWidth = Integer.toString(n).length();
        release = new byte[n];
        wave = new byte[n];
        phase = new byte[n];
        since = new long[n];
        result = new byte[n];
        resultAt = new long[n];
        healthAt = new long[n];
        silentAt = new long[n];
        offset = new int[n];
        exposedAt = new long[n];
        exposedUntil = new long[n];
        loaded = new boolean[n];
        news = new boolean[n];
        attempt = new byte[n];
        resultAttempt = new byte[n];
        notBefore = new long[n];
        stallsForGood = new boolean[n];
        List<SimScenario.Release> rels = sc.fleet().releases();
        releaseNames = rels.stream().map(SimScenario.Release::release).toArray(String[]::new);
        behaviour = rels.stream().map(r -> sc.patch().byRelease().getOrDefault(r.release(), sc.patch().others()))
                .toArray(SimScenario.Behaviour[]::new);
        members = new int[sc.plan().waves().size()][];
        taken = new int[members.length];
    }

    String id(int i) {
        String s = Integer.toString(i);
        return "h" + "0".repeat(idWidth - s.length()) + s;
    }

    int index(String id) {
        return Integer.parseInt(id, 1, id.length(), 10);
    }

    /** Runs the scenario to its end; {@code progress} gets a line per virtual day. */
    public SimResult run(Consumer<String> progress) {
        buildFleet();
        long now = 0;
        long nextSample = 0;
        long sampleEvery = Math.max(tick, horizon / 1000);
        long nextDay = Duration.ofDays(1).toMillis();
        while (now <= horizon) {
            while (!queue.isEmpty() && queue.peekTime() <= now) {
                handle(queue.poll());
            }
            step(now);
            if (now >= nextSample) {
                sample(now);
                nextSample += sampleEvery;
            }
            if (now >= nextDay) {
                progress.accept(String.format("day %d: %d/%d applied, status %s", now / nextDayUnit(), state.count(Phase.APPLIED), n, state.status()));
                nextDay += nextDayUnit();
            }
            if (done()) {
                break;
            }
            now += tick;
        }
        long end = Math.min(now, horizon);
        sample(end);
        return result(end);
    }

    private static long nextDayUnit() {
        return Duration.ofDays(1).toMillis();
    }

    /** Over: the rollout finished or halted and no host has anything left to do (a silent host told to apply never will). */
    private boolean done() {
        return state.status() != Status.RUNNING && queue.isEmpty();
    }

    private void buildFleet() {
        List<SimScenario.Release> rels = sc.fleet().releases();
        double total = rels.stream().mapToDouble(SimScenario.Release::share).sum();
        double[] cumulative = new double[rels.size()];
        double c = 0;
        for (int r = 0; r < rels.size(); r++) {
            c += rels.get(r).share() / total;
            cumulative[r] = c;
        }
        List<Targeting.Target> targets = new ArrayList<>(n);
        List<SimScenario.Label> labels = sc.fleet().labels();
        for (int i = 0; i < n; i++) {
            double u = random.nextDouble();
            int r = 0;
            while (r < cumulative.length - 1 && u > cumulative[r]) {
                r++;
            }
            release[i] = (byte) r;
            offset[i] = (int) random.nextLong(interval);
            silentAt[i] = random.nextDouble() < sc.fleet().silentShare() ? random.nextLong(horizon) : Long.MAX_VALUE;
            healthAt[i] = -1;
            notBefore[i] = -1;
            exposedAt[i] = -1;
            exposedUntil[i] = -1;
            Map<String, String> l = Map.of();
            if (!labels.isEmpty()) {
                l = new HashMap<>();
                for (SimScenario.Label label : labels) {
                    if (random.nextDouble() < label.share()) {
                        String[] kv = label.label().split("=", 2);
                        l.put(kv[0], kv[1]);
                    }
                }
            }
            targets.add(new Targeting.Target(id(i), l, true));
        }
        // The server's own wave assignment, then only counts and per-host bytes are kept.
        RolloutState whole = Targeting.initial("sim-" + seed, sc.plan(), targets, T0);
        targets = null;
        int[] sizes = new int[members.length];
        for (HostProgress h : whole.hosts().values()) {
            int i = index(h.hostId());
            wave[i] = (byte) h.wave();
            phase[i] = (byte) h.phase().ordinal();
            since[i] = 0;
            sizes[h.wave()]++;
        }
        for (int w = 0; w < members.length; w++) {
            members[w] = new int[sizes[w]];
            sizes[w] = 0;
        }
        for (int i = 0; i < n; i++) {
            members[wave[i]][sizes[wave[i]]++] = i;
        }
        state = whole.withWindow(new TreeMap<>());
    }

    /** The first check-in at or after {@code t} (its jitter drawn from the host and the round, so it is the same whenever asked). */
    private long nextCheckin(int i, long t) {
        long k = Math.max(0, Math.floorDiv(t - offset[i], interval) - 1);
        for (;; k++) {
            long at = checkin(i, k);
            if (at >= t) {
                return at;
            }
        }
    }

    private long checkin(int i, long k) {
        long base = offset[i] + k * interval;
        if (jitter == 0) {
            return base;
        }
        long h = mix(seed ^ ((long) i << 32) ^ k);
        return Math.max(0, base + Math.floorMod(h, 2 * jitter + 1) - jitter);
    }

    /** The host's last check-in at or before {@code t}, or -1 if none yet (the fleet was seen at enrollment, before zero). */
    private long lastSeen(int i, long t) {
        long until = Math.min(t, silentAt[i] - 1);
        long k = Math.max(0, Math.floorDiv(until - offset[i], interval) + 1);
        for (; k >= 0; k--) {
            long at = checkin(i, k);
            if (at <= until) {
                return at;
            }
        }
        return Math.min(0, until);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private void noteNews(int i) {
        if (!news[i]) {
            news[i] = true;
            newsList.add(i);
        }
    }

    private void handle(long key) {
        long t = EventQueue.time(key);
        int i = EventQueue.host(key);
        switch (EventQueue.kind(key)) {
            case LEARN_APPLY -> learnApply(i, t);
            case RESULT, UNLOADED -> {
                resultAt[i] = t;
                noteNews(i);
            }
            case CRASH -> {
                healthAt[i] = t;
                loaded[i] = false;
                end(i, t);
                bad(t);
                noteNews(i);
            }
            case LEARN_UNLOAD -> {
                if (t < silentAt[i] && phase[i] == Phase.ROLLING_BACK.ordinal()) {
                    loaded[i] = false;
                    end(i, t);
                    result[i] = (byte) (64 + UnloadResult.UNLOADED.ordinal());
                    queue.add(t + 1000, UNLOADED, i);
                }
            }
            case SILENCE -> {
                Phase p = PHASES[phase[i]];
                if ((p.applying() || p == Phase.APPLIED) && lastSeen(i, t) + silenceMs < t) {
                    noteNews(i);
                }
            }
            default -> throw new IllegalStateException("unknown event kind " + EventQueue.kind(key));
        }
    }

    private void learnApply(int i, long t) {
        if (!PHASES[phase[i]].applying() || t >= silentAt[i]) {
            return;
        }
        SimScenario.Behaviour b = behaviour[release[i]];
        double spread = b.applySpread();
        long apply = (long) (b.applyTime().toMillis() * (1 - spread + 2 * spread * random.nextDouble()));
        double u = random.nextDouble();
        boolean retry = attempt[i] > 1;
        // Exposure counts a host once, from its first attempt: a retry keeps it exposed, not newly so.
        if (b.bad() && exposedAt[i] < 0) {
            exposed++;
            exposedAt[i] = t;
        }
        if (retry) {
            exposedUntil[i] = -1;
        }
        ApplyResult r;
        long at;
        if (retry && stallsForGood[i]) {
            r = ApplyResult.STALLED_REVERTED;
            at = t + apply + b.stallFor().toMillis();
            end(i, at);
        } else if (retry) {
            r = ApplyResult.APPLIED;
            at = t + apply;
            loaded[i] = true;
        } else if (u < b.loadFail()) {
            r = ApplyResult.LOAD_FAILED;
            at = t + apply;
            bad(at);
            end(i, at);
        } else if (u < b.loadFail() + b.stall()) {
            r = ApplyResult.STALLED_REVERTED;
            at = t + apply + b.stallFor().toMillis();
            stallsForGood[i] = random.nextDouble() >= b.stallClears();
            bad(at);
            end(i, at);
        } else {
            r = ApplyResult.APPLIED;
            at = t + apply;
            loaded[i] = true;
            if (random.nextDouble() < b.crash()) {
                queue.add(at + random.nextLong(Math.max(1, b.crashAfter().toMillis())), CRASH, i);
            }
        }
        result[i] = (byte) (1 + r.ordinal());
        resultAttempt[i] = attempt[i];
        // Until it arrives, the host reports no result: the last one (a retry's stall) is in the past.
        resultAt[i] = 0;
        queue.add(at, RESULT, i);
    }

    private void bad(long t) {
        if (firstBadAt < 0 || t < firstBadAt) {
            firstBadAt = t;
        }
    }

    private void end(int i, long t) {
        if (exposedAt[i] >= 0 && exposedUntil[i] < 0) {
            exposedUntil[i] = t;
        }
    }

    private HostProgress progress(int i) {
        String why = result[i] == 0 ? null : result[i] >= 64 ? UnloadResult.values()[result[i] - 64].wire() : APPLY[result[i] - 1].wire();
        Phase p = PHASES[phase[i]];
        // Only the phases a result decides carry one, as in the server's store.
        if (p == Phase.PENDING || p == Phase.DISPATCHED || p == Phase.ROLLING_BACK || p == Phase.ROLLED_BACK) {
            why = null;
        } else if (p == Phase.RETRYING) {
            // The stall that made it retry, not the result of the retry it has not reported yet.
            why = ApplyResult.STALLED_REVERTED.wire();
        }
        return new HostProgress(id(i), wave[i], p, T0.plusMillis(since[i]), why, attempt[i],
                notBefore[i] < 0 ? null : T0.plusMillis(notBefore[i]));
    }

    private HostReport report(int i, long now) {
        Outcome r = null;
        Instant at = null;
        if (result[i] != 0 && resultAt[i] <= now && resultAt[i] > 0) {
            r = result[i] >= 64 ? UnloadResult.values()[result[i] - 64] : APPLY[result[i] - 1];
            at = T0.plusMillis(resultAt[i]);
        }
        Map<String, Double> impact = r instanceof ApplyResult ? behaviour[release[i]].impact() : Map.of();
        long seen = lastSeen(i, now);
        return new HostReport(r, at, impact, T0.plusMillis(seen), loaded[i],
                healthAt[i] >= 0 ? HealthKind.CRASH : null, healthAt[i] >= 0 ? T0.plusMillis(healthAt[i]) : null,
                r instanceof ApplyResult ? Integer.valueOf(Math.max(1, resultAttempt[i])) : null);
    }

    private void step(long now) {
        for (int round = 0; round < 3; round++) {
            TreeMap<String, HostProgress> window = new TreeMap<>();
            Map<String, HostReport> reports = new HashMap<>();
            int applyingInWindow = 0;
            for (int k = 0; k < newsList.size(); k++) {
                int i = newsList.get(k);
                HostProgress p = progress(i);
                window.put(p.hostId(), p);
                reports.put(p.hostId(), report(i, now));
                if (p.phase().applying()) {
                    applyingInWindow++;
                }
            }
            int loadedThrough = -1;
            if (state.status() == Status.RUNNING) {
                long free = state.plan().maxConcurrent() - applying() + applyingInWindow;
                // The current wave's pending hosts, and the next wave's if this step may start it.
                int through = state.tally().unfinishedThrough(state.wave()) - applyingInWindow <= 0 ? members.length - 1 : state.wave();
                for (int w = 0; w <= through && free > 0; w++) {
                    for (int k = taken[w]; k < members[w].length && free > 0; k++, free--) {
                        HostProgress p = progress(members[w][k]);
                        window.put(p.hostId(), p);
                    }
                    loadedThrough = w;
                }
            }
            RolloutCore.Step step = RolloutCore.step(state.withWindow(window), reports, Optional.empty(), T0.plusMillis(now));
            apply(step, window, now);
            for (int k = 0; k < newsList.size(); k++) {
                news[newsList.get(k)] = false;
            }
            newsList.clear();
            // A step that started a wave beyond the pending hosts it was given steps again with them, at the same instant.
            if (state.status() != Status.RUNNING || state.wave() <= loadedThrough || applying() >= state.plan().maxConcurrent()
                    || state.tally().countThrough(state.wave(), Phase.PENDING) == 0) {
                return;
            }
        }
    }

    /** Hosts holding a slot under the cap: a first attempt or a retry. */
    private long applying() {
        return state.count(Phase.DISPATCHED) + state.count(Phase.RETRYING);
    }

    private void apply(RolloutCore.Step step, Map<String, HostProgress> before, long now) {
        boolean rolledBack = false;
        for (Decision d : step.decisions()) {
            decisions.merge(d.kind(), 1L, Long::sum);
            if (haltAt < 0 && (d.kind() == Decision.Kind.GATE_TRIPPED || d.kind() == Decision.Kind.PAUSED)) {
                haltAt = now;
                haltReason = d.reason();
            }
            rolledBack |= d.kind() == Decision.Kind.ROLLBACK;
        }
        for (HostProgress p : step.state().hosts().values()) {
            if (p.equals(before.get(p.hostId()))) {
                continue;
            }
            int i = index(p.hostId());
            Phase old = PHASES[phase[i]];
            int oldAttempt = attempt[i];
            phase[i] = (byte) p.phase().ordinal();
            since[i] = p.since().toEpochMilli() - T0.toEpochMilli();
            attempt[i] = (byte) p.attempt();
            notBefore[i] = p.notBefore() == null ? -1 : p.notBefore().toEpochMilli() - T0.toEpochMilli();
            if (p.phase() == Phase.RETRYING && (old != Phase.RETRYING || oldAttempt != p.attempt())) {
                // The agent learns the new attempt at a check-in and starts it at its first pass at or after notBefore.
                long learn = nextCheckin(i, Math.max(now, notBefore[i]));
                if (learn < silentAt[i]) {
                    queue.add(learn, LEARN_APPLY, i);
                }
                if (silentAt[i] != Long.MAX_VALUE) {
                    queue.add(Math.max(Math.min(learn, silentAt[i]), now) + silenceMs + 1, SILENCE, i);
                }
            }
            if (old == Phase.PENDING && p.phase() == Phase.DISPATCHED) {
                taken[wave[i]]++;
                long learn = nextCheckin(i, now);
                if (learn < silentAt[i]) {
                    queue.add(learn, LEARN_APPLY, i);
                }
                if (silentAt[i] != Long.MAX_VALUE) {
                    queue.add(Math.max(Math.min(learn, silentAt[i]), now) + silenceMs + 1, SILENCE, i);
                }
            }
            if (p.phase() == Phase.APPLIED && silentAt[i] != Long.MAX_VALUE) {
                queue.add(Math.max(now, silentAt[i]) + silenceMs + 1, SILENCE, i);
            }
        }
        if (rolledBack) {
            // Every host meant to have the patch, window or not, is told to unload: as the server's bulk update.
            for (int i = 0; i < n; i++) {
                if (RolloutCore.WANTS_PATCH.contains(PHASES[phase[i]]) || PHASES[phase[i]] == Phase.ROLLING_BACK) {
                    if (PHASES[phase[i]] != Phase.ROLLING_BACK) {
                        phase[i] = (byte) Phase.ROLLING_BACK.ordinal();
                        since[i] = now;
                        notBefore[i] = -1;
                    }
                    queue.add(nextCheckin(i, now), LEARN_UNLOAD, i);
                }
            }
        }
        state = step.state().withWindow(new TreeMap<>());
        for (int m = 0; m < MILESTONES.length; m++) {
            if (appliedAt[m] < 0 && state.count(Phase.APPLIED) >= Math.ceil(MILESTONES[m] * n)) {
                appliedAt[m] = now;
            }
        }
    }

    private void sample(long now) {
        for (int w = 0; w < members.length; w++) {
            timeline.add(new SimResult.TimelineRow(now / 1000.0, w, sc.plan().waves().get(w).name(), state.count(w, Phase.PENDING),
                    state.count(w, Phase.DISPATCHED), state.count(w, Phase.APPLIED), state.count(w, Phase.FAILED) + state.count(w, Phase.UNKNOWN),
                    state.count(w, Phase.STALLED), state.count(w, Phase.ROLLING_BACK), state.count(w, Phase.ROLLED_BACK),
                    state.count(w, Phase.RETRYING)));
        }
    }

    private SimResult result(long end) {
        long stop = haltAt >= 0 ? haltAt : end;
        double hostMs = 0;
        for (int i = 0; i < n; i++) {
            if (exposedAt[i] >= 0 && exposedAt[i] < stop) {
                long until = exposedUntil[i] >= 0 ? Math.min(exposedUntil[i], stop) : stop;
                hostMs += Math.max(0, until - exposedAt[i]);
            }
        }
        Map<String, Long> byKind = new TreeMap<>();
        decisions.forEach((k, v) -> byKind.put(k.name(), v));
        Map<String, Long> phases = new TreeMap<>();
        for (Phase p : PHASES) {
            if (state.count(p) > 0) {
                phases.put(p.name(), state.count(p));
            }
        }
        return new SimResult(sc.name(), seed, n, end / 1000.0, state.status().name(), state.wave(), state.size(0),
                hours(appliedAt[0]), hours(appliedAt[1]), hours(appliedAt[2]), hours(appliedAt[3]),
                exposed, hostMs / 3_600_000.0, firstBadAt < 0 ? null : firstBadAt / 3_600_000.0,
                firstBadAt >= 0 && haltAt >= 0 ? (haltAt - firstBadAt) / 60_000.0 : null, haltAt < 0 ? null : haltAt / 3_600_000.0,
                haltReason, byKind, phases, List.copyOf(timeline));
    }

    private static Double hours(long ms) {
        return ms < 0 ? null : ms / 3_600_000.0;
    }

    /** A growable list of ints. */
    static final class IntList {
        private int[] a = new int[256];
        private int size;

        void add(int v) {
            if (size == a.length) {
                a = java.util.Arrays.copyOf(a, size * 2);
            }
            a[size++] = v;
        }

        int get(int k) {
            return a[k];
        }

        int size() {
            return size;
        }

        void clear() {
            size = 0;
        }
    }
}
