package dev.klpfleet.agent.reconcile;

import dev.klpfleet.agent.state.Failures;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The pure heart of the reconcile loop: observed kernel, desired set, the agent's own records and
 * the time in, at most one {@link Step} out. Level-based: it never asks what happened last, only
 * how the kernel and the desired set differ now, so any pass after a crash picks up where it left.
 *
 * <p>Order, so that each step makes the next one possible: wait out a running transition; finish an
 * operation a crash interrupted; unload managed patches the desired set dropped (or holds in another
 * build: a module name can only be loaded once, so an upgrade is unload then load); load missing
 * desired patches; forget managed entries the kernel no longer has.
 *
 * <p>Ownership: only patches with a {@link ManagedPatch} entry are ever unloaded. A patch loaded by
 * someone else is touched only when the desired set names it: its load then either finds the same
 * build already applied (and the agent adopts it) or is refused by preflight.
 */
public final class Diff {
    /** A failed unload (stalled, module busy) is retried this long after it failed, not on every pass. */
    public static final Duration UNLOAD_RETRY_AFTER = Duration.ofMinutes(10);

    private Diff() {}

    public static Step next(Observation kernel, List<DesiredPatch> desired, Map<String, ManagedPatch> managed,
                            Map<String, Instant> failures, Instant now) {
        return next(kernel, desired, managed, failures, Map.of(), now);
    }

    /** As {@link #next(Observation, List, Map, Map, Map, Instant, java.util.function.Predicate)} without crash holds. */
    public static Step next(Observation kernel, List<DesiredPatch> desired, Map<String, ManagedPatch> managed,
                            Map<String, Instant> failures, Instant now, java.util.function.Predicate<DesiredPatch> startEarly) {
        return next(kernel, desired, managed, failures, Map.of(), now, startEarly);
    }

    /**
     * @param held the crash guard's holds: sha256 of the build held back, by patch name. A held build
     *             is never loaded (nor an interrupted load of it resumed); another build of the patch is.
     */
    public static Step next(Observation kernel, List<DesiredPatch> desired, Map<String, ManagedPatch> managed,
                            Map<String, Instant> failures, Map<String, String> held, Instant now) {
        return next(kernel, desired, managed, failures, held, now, d -> false);
    }

    /**
     * As {@link #next(Observation, List, Map, Map, Map, Instant)}; a desired attempt whose {@code notBefore}
     * has not come is loaded only if {@code startEarly} says so (the last attempt's blockers left the
     * patched functions), else it is {@link Step.Pending} when nothing else is to do.
     */
    public static Step next(Observation kernel, List<DesiredPatch> desired, Map<String, ManagedPatch> managed,
                            Map<String, Instant> failures, Map<String, String> held, Instant now,
                            java.util.function.Predicate<DesiredPatch> startEarly) {
        Optional<ObservedPatch> busy = kernel.inTransition();
        if (busy.isPresent()) {
            return new Step.Wait("patch " + busy.get().name() + " is in transition");
        }
        for (ManagedPatch m : managed.values()) {
            Optional<DesiredPatch> want = find(desired, m.patch());
            if (m.phase() == ManagedPatch.Phase.LOADING) {
                if (want.filter(d -> isHeld(d, held)).isPresent()) {
                    continue;
                }
                return want.filter(d -> sameArtifact(d, m)).isPresent()
                        ? new Step.Load(want.get(), "resume the load of " + m.patch() + " " + m.version() + " a restart interrupted")
                        : new Step.Unload(m, "a load of " + m.patch() + " was interrupted and it is no longer desired");
            }
            if (m.phase() == ManagedPatch.Phase.UNLOADING) {
                return new Step.Unload(m, "resume the unload of " + m.patch() + " a restart interrupted");
            }
        }
        for (ManagedPatch m : managed.values()) {
            Optional<DesiredPatch> want = find(desired, m.patch());
            boolean wanted = want.filter(d -> d.sha256().equals(m.sha256())).isPresent();
            if (!wanted && kernel.present(m.patch()) && !recentlyFailedUnload(m, failures, now)) {
                return new Step.Unload(m, want.isPresent()
                        ? m.patch() + " " + m.version() + " is loaded and version " + want.get().version() + " is desired"
                        : m.patch() + " " + m.version() + " is no longer desired");
            }
        }
        Step.Pending pending = null;
        for (DesiredPatch d : desired) {
            ManagedPatch m = managed.get(d.patch());
            // A new rollout of an artifact already applied still gets a load: it finds the patch applied,
            // touches nothing, and reports "applied" for that rollout.
            boolean applied = m != null && m.sha256().equals(d.sha256()) && m.rolloutId().equals(d.rolloutId())
                    && kernel.patch(d.patch()).filter(ObservedPatch::enabled).isPresent();
            boolean blocked = m != null && !m.sha256().equals(d.sha256()) && kernel.present(d.patch());
            if (!applied && !blocked && !isHeld(d, held) && !failures.containsKey(Failures.apply(d.patch(), d.sha256(), d.rolloutId(), d.attemptNumber()))) {
                boolean due = d.notBefore() == null || !now.isBefore(d.notBefore());
                if (!due && !startEarly.test(d)) {
                    if (pending == null) {
                        pending = new Step.Pending(d, d.patch() + " " + d.version() + " attempt " + d.attemptNumber() + " is due at " + d.notBefore());
                    }
                    continue;
                }
                String attempt = d.attemptNumber() > 1 ? " (attempt " + d.attemptNumber() + (due ? "" : ", early: the last blockers left") + ")" : "";
                return new Step.Load(d, (m == null ? d.patch() + " " + d.version() + " is desired and not loaded by this agent"
                        : d.patch() + " " + d.version() + " is desired and not applied in the kernel") + attempt);
            }
        }
        for (ManagedPatch m : managed.values()) {
            if (!kernel.present(m.patch()) && find(desired, m.patch()).filter(d -> d.sha256().equals(m.sha256())).isEmpty()) {
                return new Step.Forget(m, m.patch() + " is gone from the kernel and not desired");
            }
        }
        return pending != null ? pending : new Step.Idle();
    }

    private static boolean recentlyFailedUnload(ManagedPatch m, Map<String, Instant> failures, Instant now) {
        Instant at = failures.get(Failures.unload(m.patch(), m.sha256()));
        return at != null && now.isBefore(at.plus(UNLOAD_RETRY_AFTER));
    }

    private static boolean isHeld(DesiredPatch d, Map<String, String> held) {
        return d.sha256().equals(held.get(d.patch()));
    }

    private static boolean sameArtifact(DesiredPatch d, ManagedPatch m) {
        return d.sha256().equals(m.sha256());
    }

    private static Optional<DesiredPatch> find(List<DesiredPatch> desired, String patch) {
        return desired.stream().filter(d -> d.patch().equals(patch)).findFirst();
    }
}
