package dev.klpfleet.server.rollout.core;

import dev.klpfleet.protocol.outcome.HealthKind;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Evaluates a rollout's gates against what its hosts reported. Pure. */
public final class GateCheck {
    private GateCheck() {}

    /**
     * The first gate the hosts violate, as a one-line reason, or empty. Only hosts told to apply
     * count, and only evidence received at or after {@code state.gatesSince()}. A host whose result
     * the server does not know (UNKNOWN) counts as failed.
     */
    public static Optional<String> firstViolation(RolloutState state, Map<String, HostReport> reports, Instant now) {
        Gates g = state.plan().gates();
        Instant since = state.gatesSince();
        List<String> unknown = new ArrayList<>();
        List<String> crashed = new ArrayList<>();
        for (HostProgress h : state.hosts().values()) {
            HostReport r = reports.get(h.hostId());
            if (r == null || !(h.phase().finishedApply() || h.phase().applying())) {
                continue;
            }
            if (r.badHealthAt() != null && !r.badHealthAt().isBefore(since) && !r.badHealthAt().isBefore(dispatchedAt(h))) {
                return Optional.of("host " + h.hostId() + " reported " + health(r.badHealth()) + " after applying");
            }
            Instant quietSince = latest(r.lastSeen(), h.since(), since);
            boolean meantToBeUp = h.phase().applying() || h.phase() == Phase.APPLIED;
            if (meantToBeUp && Duration.between(quietSince, now).compareTo(g.silenceAfterApply()) > 0) {
                return Optional.of("host " + h.hostId() + " silent for over " + g.silenceAfterApply() + " after being told to apply");
            }
            if (h.phase().finishedApply() && !h.since().isBefore(since)) {
                if (h.phase() == Phase.UNKNOWN) {
                    unknown.add(h.hostId());
                } else if (h.phase() == Phase.CRASH_SUSPECTED) {
                    crashed.add(h.hostId());
                }
                for (Map.Entry<String, Double> limit : g.impactMax().entrySet()) {
                    Double v = r.impact().get(limit.getKey());
                    if (v != null && v > limit.getValue()) {
                        return Optional.of("host " + h.hostId() + " impact " + limit.getKey() + "=" + number(v) + " over its limit "
                                + number(limit.getValue()));
                    }
                }
            }
        }
        // The rates count every host of the rollout (its tally), not only the window's.
        Tally t = state.tally();
        long finished = t.gatedFinished();
        long unknowns = t.gated(Phase.UNKNOWN);
        long crashes = t.gated(Phase.CRASH_SUSPECTED);
        long failed = t.gated(Phase.FAILED) + unknowns + crashes;
        long stalled = t.gated(Phase.STALLED);
        if (finished > 0 && (double) failed / finished > g.maxFailureRate()) {
            return Optional.of("failure rate " + failed + "/" + finished + " over budget " + g.maxFailureRate()
                    + (unknowns == 0 ? "" : " (" + unknowns + " with a result this server does not know: "
                    + String.join(", ", unknown.subList(0, Math.min(5, unknown.size()))) + (unknowns > Math.min(5, unknown.size()) ? ", ..." : "") + ")")
                    + (crashes == 0 ? "" : " (" + crashes + " crash-suspected: " + String.join(", ", crashed.subList(0, Math.min(5, crashed.size())))
                    + (crashes > Math.min(5, crashed.size()) ? ", ..." : "") + ")"));
        }
        if (finished > 0 && (double) stalled / finished > g.maxStallRate()) {
            return Optional.of("stall rate " + stalled + "/" + finished + " over budget " + g.maxStallRate());
        }
        return Optional.empty();
    }

    /** What a health event says, for a gate's reason. */
    static String health(HealthKind k) {
        if (k == null) {
            return "bad health";
        }
        return switch (k) {
            case OOPS -> "an oops or BUG in its kernel log";
            case CRASH -> "a crash (its previous boot ended without a shutdown)";
            case TAINT -> "a new bad taint flag";
            case UNKNOWN -> "a health problem this server does not know (see the host's event)";
        };
    }

    /** {@code 3500000} rather than {@code 3500000.0}; fractions as they are. */
    private static String number(double v) {
        return BigDecimal.valueOf(v).stripTrailingZeros().toPlainString();
    }

    /** A finished host's phase start is its result time, so its dispatch is at most that. */
    private static Instant dispatchedAt(HostProgress h) {
        return h.phase() == Phase.DISPATCHED ? h.since() : Instant.MIN;
    }

    private static Instant latest(Instant a, Instant b, Instant c) {
        Instant m = a == null ? b : (a.isAfter(b) ? a : b);
        return m.isAfter(c) ? m : c;
    }
}
