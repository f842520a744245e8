package dev.klpfleet.server.rollout.core;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.UnloadResult;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The rollout engine's pure decision core: state, host reports, an optional operator command
 * and the time in; the next state and the decisions taken out. No I/O, no clock.
 *
 * <p>Contracts the property tests hold it to: at most {@code plan.maxConcurrent} hosts are
 * DISPATCHED after any step; a wave's first host is dispatched only after every earlier host
 * finished, soaked for {@code plan.soak} and the gates passed (unless an operator promoted);
 * once a gate is violated the rollout is not RUNNING after the step; and {@code step} is
 * idempotent: stepping the resulting state again with the same input decides nothing new.
 */
public final class RolloutCore {
    private RolloutCore() {}

    /**
     * A step's outcome. {@code rejected} is a one-line reason the operator command was refused
     * (the step then went on as if none was given), else null.
     */
    public record Step(RolloutState state, List<Decision> decisions, String rejected) {}

    public static Step step(RolloutState state, Map<String, HostReport> reports, Optional<Command> command, Instant now) {
        List<Decision> out = new ArrayList<>();
        RolloutState s = absorbReports(state, reports);
        String refusal = command.map(c -> refusal(state, c)).orElse(null);
        if (command.isPresent() && refusal == null) {
            s = apply(s, command.get(), now, out);
        }
        if (s.status() == Status.RUNNING) {
            Optional<String> violation = GateCheck.firstViolation(s, reports, now);
            if (violation.isPresent()) {
                out.add(new Decision(now, Decision.Kind.GATE_TRIPPED, violation.get(), Decision.ENGINE, s.wave(), List.of()));
                s = s.plan().gates().action() == Gates.Action.ROLLBACK
                        ? rollback(s, "gate: " + violation.get(), Decision.ENGINE, now, out)
                        : pause(s, "gate: " + violation.get(), Decision.ENGINE, now, out);
            }
        }
        if (s.status() == Status.RUNNING) {
            s = advance(s, now, out);
        }
        return new Step(s, List.copyOf(out), refusal);
    }

    /** Moves hosts along on the results and check-ins they reported since their phase began. */
    private static RolloutState absorbReports(RolloutState s, Map<String, HostReport> reports) {
        Map<String, HostProgress> hosts = new LinkedHashMap<>(s.hosts());
        boolean changed = false;
        for (HostProgress h : s.hosts().values()) {
            HostReport r = reports.get(h.hostId());
            if (r == null) {
                continue;
            }
            HostProgress next = h;
            boolean fresh = r.resultAt() != null && !r.resultAt().isBefore(h.since());
            if (h.phase() == Phase.DISPATCHED && fresh && r.result() instanceof ApplyResult a) {
                next = h.to(afterApply(a), r.resultAt());
            } else if (h.phase() == Phase.ROLLING_BACK) {
                boolean unloaded = fresh && r.result() == UnloadResult.UNLOADED;
                boolean seenWithout = r.lastSeen() != null && r.lastSeen().isAfter(h.since()) && !r.patchLoaded();
                if (unloaded || seenWithout) {
                    next = h.to(Phase.ROLLED_BACK, unloaded ? r.resultAt() : r.lastSeen());
                }
            }
            if (next != h) {
                hosts.put(h.hostId(), next);
                changed = true;
            }
        }
        return changed ? s.withHosts(hosts) : s;
    }

    /**
     * Where an apply result puts a host. Every result is final for the dispatch: an unknown one (a
     * newer agent's) counts as a failure, so it can never hold a concurrency slot forever.
     */
    static Phase afterApply(ApplyResult a) {
        return switch (a) {
            case APPLIED -> Phase.APPLIED;
            case STALLED_REVERTED, STALLED_WAITING, REVERT_STALLED -> Phase.STALLED;
            case REFUSED, LOAD_FAILED, DISABLE_FAILED, RMMOD_FAILED, UNKNOWN -> Phase.FAILED;
        };
    }

    private static String refusal(RolloutState s, Command c) {
        Status st = s.status();
        if (c instanceof Command.Pause) {
            return st == Status.RUNNING ? null : "rollout is " + st + ", only a RUNNING rollout can be paused";
        }
        if (c instanceof Command.Resume) {
            return st == Status.PAUSED ? null : "rollout is " + st + ", only a PAUSED rollout can be resumed";
        }
        if (c instanceof Command.Abort) {
            return st == Status.RUNNING || st == Status.PAUSED ? null : "rollout is already " + st;
        }
        if (c instanceof Command.Promote) {
            if (st != Status.RUNNING && st != Status.PAUSED) {
                return "rollout is " + st + ", nothing to promote";
            }
            return s.wave() + 1 < s.plan().waves().size() ? null : "rollout is already in its last wave";
        }
        return st == Status.ROLLED_BACK ? "rollout is already rolled back" : null;
    }

    private static RolloutState apply(RolloutState s, Command c, Instant now, List<Decision> out) {
        String why = c.reason() == null || c.reason().isBlank() ? "operator" : c.reason();
        if (c instanceof Command.Pause) {
            return pause(s, why, c.actor(), now, out);
        }
        if (c instanceof Command.Resume) {
            out.add(new Decision(now, Decision.Kind.RESUMED, why + "; gates count evidence from now on", c.actor(), s.wave(), List.of()));
            return s.with(Status.RUNNING, null).withGatesSince(now);
        }
        if (c instanceof Command.Abort) {
            out.add(new Decision(now, Decision.Kind.ABORTED, why + "; hosts keep what they applied", c.actor(), s.wave(), List.of()));
            return s.with(Status.ABORTED, "aborted: " + why);
        }
        if (c instanceof Command.Promote) {
            int next = s.wave() + 1;
            out.add(new Decision(now, Decision.Kind.PROMOTED, why + "; wave " + waveName(s, next) + " starts without waiting",
                    c.actor(), next, List.of()));
            return s.withWave(next, null);
        }
        return rollback(s, why, c.actor(), now, out);
    }

    private static RolloutState pause(RolloutState s, String why, String actor, Instant now, List<Decision> out) {
        out.add(new Decision(now, Decision.Kind.PAUSED, why, actor, s.wave(), List.of()));
        return s.with(Status.PAUSED, why);
    }

    private static RolloutState rollback(RolloutState s, String why, String actor, Instant now, List<Decision> out) {
        Map<String, HostProgress> hosts = new LinkedHashMap<>(s.hosts());
        List<String> touched = new ArrayList<>();
        for (HostProgress h : s.hosts().values()) {
            if (h.phase().wantsPatch()) {
                hosts.put(h.hostId(), h.to(Phase.ROLLING_BACK, now));
                touched.add(h.hostId());
            }
        }
        out.add(new Decision(now, Decision.Kind.ROLLBACK, why + "; " + touched.size() + " hosts told to unload", actor, s.wave(), touched));
        return s.withHosts(hosts).with(Status.ROLLED_BACK, "rolled back: " + why);
    }

    /** Soaks, passes and starts waves, then dispatches pending hosts up to the cap. */
    private static RolloutState advance(RolloutState s, Instant now, List<Decision> out) {
        int waves = s.plan().waves().size();
        while (true) {
            if (!allFinishedThrough(s, s.wave())) {
                break;
            }
            if (s.size(s.wave()) == 0 && s.wave() + 1 < waves) {
                out.add(new Decision(now, Decision.Kind.WAVE_SKIPPED, "wave " + waveName(s, s.wave()) + " has no hosts", Decision.ENGINE, s.wave(), List.of()));
                s = s.withWave(s.wave() + 1, null);
                out.add(new Decision(now, Decision.Kind.WAVE_STARTED, "previous wave had no hosts", Decision.ENGINE, s.wave(), List.of()));
                continue;
            }
            if (s.soakStartedAt() == null) {
                out.add(new Decision(now, Decision.Kind.SOAK_STARTED, "every host through wave " + waveName(s, s.wave())
                        + " finished; soaking " + s.plan().soak(), Decision.ENGINE, s.wave(), List.of()));
                s = s.withWave(s.wave(), now);
            }
            if (now.isBefore(s.soakStartedAt().plus(s.plan().soak()))) {
                break;
            }
            if (s.wave() + 1 >= waves) {
                out.add(new Decision(now, Decision.Kind.COMPLETED, "last wave soaked " + s.plan().soak() + " with gates passing",
                        Decision.ENGINE, s.wave(), List.of()));
                return s.with(Status.COMPLETED, null);
            }
            String passed = waveName(s, s.wave());
            s = s.withWave(s.wave() + 1, null);
            out.add(new Decision(now, Decision.Kind.WAVE_STARTED, "wave " + passed + " soaked " + s.plan().soak() + " and passed its gates",
                    Decision.ENGINE, s.wave(), List.of()));
        }
        return dispatch(s, now, out);
    }

    private static boolean allFinishedThrough(RolloutState s, int wave) {
        return s.hosts().values().stream().filter(h -> h.wave() >= 0 && h.wave() <= wave).allMatch(h -> h.phase().finishedApply());
    }

    private static RolloutState dispatch(RolloutState s, Instant now, List<Decision> out) {
        int cap = s.plan().maxConcurrent();
        long applying = s.count(Phase.DISPATCHED);
        if (applying >= cap) {
            return s;
        }
        List<HostProgress> pending = s.hosts().values().stream()
                .filter(h -> h.phase() == Phase.PENDING && h.wave() <= s.wave())
                .sorted(java.util.Comparator.comparingInt(HostProgress::wave).thenComparing(HostProgress::hostId))
                .limit(cap - applying)
                .toList();
        if (pending.isEmpty()) {
            return s;
        }
        Map<String, HostProgress> hosts = new LinkedHashMap<>(s.hosts());
        for (HostProgress h : pending) {
            hosts.put(h.hostId(), h.to(Phase.DISPATCHED, now));
        }
        List<String> ids = pending.stream().map(HostProgress::hostId).toList();
        long left = s.hosts().values().stream().filter(h -> h.phase() == Phase.PENDING && h.wave() <= s.wave()).count() - ids.size();
        out.add(new Decision(now, Decision.Kind.DISPATCH, "wave " + waveName(s, s.wave()) + ": " + ids.size() + " hosts told to apply ("
                + (applying + ids.size()) + "/" + cap + " applying, " + left + " waiting)", Decision.ENGINE, s.wave(), ids));
        return s.withHosts(hosts);
    }

    private static String waveName(RolloutState s, int w) {
        return (w + 1) + " '" + s.plan().waves().get(w).name() + "'";
    }
}
