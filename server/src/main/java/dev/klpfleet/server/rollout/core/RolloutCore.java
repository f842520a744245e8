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
 * DISPATCHED or RETRYING after any step; a wave's first host is dispatched only after every earlier host
 * finished, soaked for {@code plan.soak} and the gates passed (unless an operator promoted);
 * once a gate is violated the rollout is not RUNNING after the step; no result a host reports
 * leaves it DISPATCHED or ROLLING_BACK; and {@code step} is idempotent: stepping the resulting
 * state again with the same input decides nothing new.
 */
public final class RolloutCore {
    private RolloutCore() {}

    /**
     * A step's outcome. {@code rejected} is a one-line reason the operator command was refused
     * (the step then went on as if none was given), else null.
     */
    public record Step(RolloutState state, List<Decision> decisions, String rejected) {}

    public static Step step(RolloutState state, Map<String, HostReport> reports, Optional<Command> command, Instant now) {
        return step(state, reports, command, now, StallRetry.Jitter.HASHED);
    }

    /** As {@link #step(RolloutState, Map, Optional, Instant)}, spacing retries of stalled hosts with {@code jitter}. */
    public static Step step(RolloutState state, Map<String, HostReport> reports, Optional<Command> command, Instant now,
                            StallRetry.Jitter jitter) {
        List<Decision> out = new ArrayList<>();
        RolloutState s = absorbReports(state, reports, now, out, jitter);
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

    /**
     * The step of a rollout whose {@link #step} threw {@code error} (a one-line description): a
     * RUNNING rollout is paused with the error as its reason; any other keeps its status and gets the
     * error as its halt reason. Deciding the same error again decides nothing new.
     */
    public static Step faulted(RolloutState state, String error, Instant now) {
        String reason = "engine error: " + error;
        if (reason.equals(state.haltReason())) {
            return new Step(state, List.of(), null);
        }
        Status next = state.status() == Status.RUNNING ? Status.PAUSED : state.status();
        String what = next == state.status() ? "; status stays " + next : "; paused until an operator resumes it";
        Decision d = new Decision(now, Decision.Kind.ENGINE_ERROR, reason + what, Decision.ENGINE, state.wave(), List.of());
        return new Step(state.with(next, reason), List.of(d), null);
    }

    /**
     * Moves hosts along on the results and check-ins they reported since their phase began: an
     * applying host on any apply result of its attempt (a reversed stall with attempts left in the plan
     * makes it RETRYING, with the attempt after it and when that may start), a host rolling back on any unload result or on a check-in
     * without the patch. No result leaves a host where it was.
     */
    private static RolloutState absorbReports(RolloutState s, Map<String, HostReport> reports, Instant now, List<Decision> out,
                                              StallRetry.Jitter jitter) {
        Map<String, HostProgress> hosts = new LinkedHashMap<>(s.hosts());
        boolean changed = false;
        Map<String, Double> impact = new java.util.HashMap<>();
        List<HostProgress> retries = new ArrayList<>();
        for (HostProgress h : s.hosts().values()) {
            HostReport r = reports.get(h.hostId());
            if (r == null) {
                continue;
            }
            HostProgress next = h;
            boolean fresh = r.resultAt() != null && !r.resultAt().isBefore(h.since());
            // A result of an earlier attempt (the stall that made the host RETRYING) is not this attempt's; a
            // crash-suspected result names no attempt and is never the stall that made the host retry.
            if (h.phase().applying() && fresh && r.result() instanceof ApplyResult a
                    && (r.resultAttempt() >= h.currentAttempt() || a == ApplyResult.CRASH_SUSPECTED)) {
                if (a == ApplyResult.STALLED_REVERTED && h.currentAttempt() < s.plan().stallAttempts()) {
                    next = h.retrying(r.resultAt(), a.wire(),
                            StallRetry.notBefore(s.plan(), h.hostId(), h.currentAttempt() + 1, r.resultAt(), jitter));
                    retries.add(next);
                } else {
                    next = h.to(afterApply(a), r.resultAt(), a.wire());
                    if (!next.since().isBefore(s.gatesSince())) {
                        for (String path : s.plan().gates().impactMax().keySet()) {
                            Double v = r.impact().get(path);
                            if (v != null) {
                                impact.merge(path, v, Math::max);
                            }
                        }
                    }
                }
            } else if (h.phase() == Phase.APPLIED && fresh && r.result() == ApplyResult.CRASH_SUSPECTED) {
                // Reported after the boot that followed the apply: the host did not survive it long.
                next = h.to(Phase.CRASH_SUSPECTED, r.resultAt(), ApplyResult.CRASH_SUSPECTED.wire());
            } else if (h.phase() == Phase.ROLLING_BACK || h.phase() == Phase.ROLLBACK_FAILED) {
                boolean seenWithout = r.lastSeen() != null && r.lastSeen().isAfter(h.since()) && !r.patchLoaded();
                if (fresh && r.result() instanceof UnloadResult u && !(h.phase() == Phase.ROLLBACK_FAILED && u.wire().equals(h.result()))) {
                    next = h.to(afterUnload(u), r.resultAt(), u.wire());
                } else if (seenWithout) {
                    next = h.to(Phase.ROLLED_BACK, r.lastSeen());
                }
                if (next.phase() == Phase.ROLLBACK_FAILED && next != h) {
                    out.add(new Decision(now, Decision.Kind.ROLLBACK_FAILED, "host " + h.hostId() + " reported unload "
                            + next.result() + ": " + unloadFailure((UnloadResult) r.result()), Decision.ENGINE, h.wave(), List.of(h.hostId())));
                }
            }
            if (next != h) {
                hosts.put(h.hostId(), next);
                changed = true;
            }
        }
        if (!retries.isEmpty()) {
            out.add(retryDecision(s, retries, now));
        }
        return changed ? s.withHosts(hosts).withImpact(impact) : s;
    }

    /** One decision for every host that stalled this step and will try again: the first few named with attempt and time. */
    private static Decision retryDecision(RolloutState s, List<HostProgress> retries, Instant now) {
        StringBuilder why = new StringBuilder(retries.size() + " hosts stalled (transition reversed) and will retry: ");
        for (int i = 0; i < Math.min(5, retries.size()); i++) {
            HostProgress h = retries.get(i);
            why.append(i == 0 ? "" : ", ").append(h.hostId()).append(" attempt ").append(h.attempt()).append(" of ")
                    .append(s.plan().stallAttempts()).append(" not before ").append(h.notBefore());
        }
        why.append(retries.size() > 5 ? ", ..." : "");
        int wave = retries.get(0).wave();
        return new Decision(now, Decision.Kind.RETRY_SCHEDULED, why.toString(), Decision.ENGINE, wave,
                retries.stream().map(HostProgress::hostId).toList());
    }

    /**
     * Where an apply result puts a host. Every result is final for the dispatch: an unknown one (a
     * newer agent's) is UNKNOWN, counted as a failure, so it can never hold a concurrency slot forever.
     */
    static Phase afterApply(ApplyResult a) {
        return switch (a) {
            case APPLIED -> Phase.APPLIED;
            case STALLED_REVERTED, STALLED_WAITING, REVERT_STALLED -> Phase.STALLED;
            case REFUSED, LOAD_FAILED, DISABLE_FAILED, RMMOD_FAILED -> Phase.FAILED;
            case CRASH_SUSPECTED -> Phase.CRASH_SUSPECTED;
            case UNKNOWN -> Phase.UNKNOWN;
        };
    }

    /** Where an unload result puts a host rolling back: only {@code unloaded} finishes it; every other is a visible failure. */
    static Phase afterUnload(UnloadResult u) {
        return switch (u) {
            case UNLOADED -> Phase.ROLLED_BACK;
            case STALLED_REVERTED, STALLED_WAITING, REVERT_STALLED, DISABLE_FAILED, RMMOD_FAILED, UNKNOWN -> Phase.ROLLBACK_FAILED;
        };
    }

    /** What a failed unload left on the host, for the operator reading the decision. */
    static String unloadFailure(UnloadResult u) {
        return switch (u) {
            case UNLOADED -> "unloaded";
            case STALLED_REVERTED -> "the unpatching stalled and was reversed: the patch is still applied";
            case STALLED_WAITING -> "the unpatching stalled and is still in progress";
            case REVERT_STALLED -> "the unpatching stalled and so did re-enabling it: the patch is half in, a human must look";
            case DISABLE_FAILED -> "disabling the patch failed: it is still applied";
            case RMMOD_FAILED -> "the patch is disabled but its module could not be removed";
            case UNKNOWN -> "a result this server does not know (the raw value is in the event's evidence)";
        };
    }

    private static String refusal(RolloutState s, Command c) {
        Status st = s.status();
        return switch (c.verb()) {
            case PAUSE -> st == Status.RUNNING ? null : "rollout is " + st + ", only a RUNNING rollout can be paused";
            case RESUME -> st == Status.PAUSED ? null : "rollout is " + st + ", only a PAUSED rollout can be resumed";
            case ABORT -> st == Status.RUNNING || st == Status.PAUSED ? null : "rollout is already " + st;
            case PROMOTE -> st != Status.RUNNING && st != Status.PAUSED ? "rollout is " + st + ", nothing to promote"
                    : s.wave() + 1 < s.plan().waves().size() ? null : "rollout is already in its last wave";
            case ROLLBACK -> st == Status.ROLLED_BACK ? "rollout is already rolled back" : null;
        };
    }

    private static RolloutState apply(RolloutState s, Command c, Instant now, List<Decision> out) {
        String why = c.reason() == null || c.reason().isBlank() ? "operator" : c.reason();
        return switch (c.verb()) {
            case PAUSE -> pause(s, why, c.actor(), now, out);
            case RESUME -> {
                out.add(new Decision(now, Decision.Kind.RESUMED, why + "; gates count evidence from now on", c.actor(), s.wave(), List.of()));
                yield s.with(Status.RUNNING, null).withGatesSince(now);
            }
            case ABORT -> {
                out.add(new Decision(now, Decision.Kind.ABORTED, why + "; hosts keep what they applied", c.actor(), s.wave(), List.of()));
                yield s.with(Status.ABORTED, "aborted: " + why);
            }
            case PROMOTE -> {
                int next = s.wave() + 1;
                out.add(new Decision(now, Decision.Kind.PROMOTED, why + "; wave " + waveName(s, next) + " starts without waiting",
                        c.actor(), next, List.of()));
                yield s.withWave(next, null);
            }
            case ROLLBACK -> rollback(s, why, c.actor(), now, out);
        };
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
        // Hosts outside the window move too: storage applies the same shift to every host in these phases.
        long told = 0;
        for (Phase p : WANTS_PATCH) {
            told += s.count(p);
        }
        out.add(new Decision(now, Decision.Kind.ROLLBACK, why + "; " + told + " hosts told to unload", actor, s.wave(), touched));
        return s.withShift(hosts, WANTS_PATCH, Phase.ROLLING_BACK, now).with(Status.ROLLED_BACK, "rolled back: " + why);
    }

    /** The phases a rollback moves to ROLLING_BACK: every one meant to have the patch loaded. */
    public static final java.util.Set<Phase> WANTS_PATCH = java.util.Collections.unmodifiableSet(
            java.util.Arrays.stream(Phase.values()).filter(Phase::wantsPatch)
                    .collect(java.util.stream.Collectors.toCollection(() -> java.util.EnumSet.noneOf(Phase.class))));

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
        return s.tally().unfinishedThrough(wave) == 0;
    }

    private static RolloutState dispatch(RolloutState s, Instant now, List<Decision> out) {
        int cap = s.plan().maxConcurrent();
        long applying = s.count(Phase.DISPATCHED) + s.count(Phase.RETRYING);
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
            hosts.put(h.hostId(), h.dispatched(now));
        }
        List<String> ids = pending.stream().map(HostProgress::hostId).toList();
        long left = s.tally().countThrough(s.wave(), Phase.PENDING) - ids.size();
        out.add(new Decision(now, Decision.Kind.DISPATCH, "wave " + waveName(s, s.wave()) + ": " + ids.size() + " hosts told to apply ("
                + (applying + ids.size()) + "/" + cap + " applying, " + left + " waiting)", Decision.ENGINE, s.wave(), ids));
        return s.withHosts(hosts);
    }

    private static String waveName(RolloutState s, int w) {
        return (w + 1) + " '" + s.plan().waves().get(w).name() + "'";
    }
}
