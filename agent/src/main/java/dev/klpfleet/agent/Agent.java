package dev.klpfleet.agent;

import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.artifact.Fetched;
import dev.klpfleet.agent.controlplane.Checkin;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.controlplane.ControlPlaneException;
import dev.klpfleet.agent.crash.CrashGuard;
import dev.klpfleet.agent.event.Attempt;
import dev.klpfleet.agent.event.Events;
import dev.klpfleet.agent.kernel.HostKernel;
import dev.klpfleet.agent.reconcile.Diff;
import dev.klpfleet.agent.reconcile.Observation;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.reconcile.Step;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.BootCheckin;
import dev.klpfleet.agent.state.CrashSuspect;
import dev.klpfleet.agent.state.LoadMark;
import dev.klpfleet.agent.state.Failures;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.module.ModuleFormatException;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.CheckinResponse;
import dev.klpfleet.protocol.fleet.CrashHold;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.fleet.LoadedPatch;
import dev.klpfleet.protocol.outcome.UnloadResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The host agent: a level-based reconcile loop in the style of controller-runtime.
 *
 * <p>A {@link #pass() pass}: send events still in the outbox; observe the kernel (release,
 * {@code /sys/kernel/livepatch}, taint); report a health event if the taint gained a bad flag; check
 * in (with the last ETag: a 304 means the desired set is unchanged, not that nothing is to do);
 * {@link Diff} the desired set against the kernel and the agent's records; take at most one
 * {@link Step}; report its event with the load/unload result as evidence. {@link Requeue} decides
 * when the next pass runs.
 *
 * <p>Crash safety: the state file is written before every kernel write (the operation's intent)
 * and after it (the result and its event, in the same write); events leave the outbox only once
 * the server answered 201 or 409. A crash anywhere is therefore followed by a pass that re-reads
 * the kernel, re-runs the interrupted operation (the kernel room's load and unload are idempotent:
 * an applied patch is reported applied without touching anything) and re-sends the same event id.
 *
 * <p>Not thread-safe: one agent per data directory, one thread.
 */
public final class Agent {
    /** Upper bound on passes of {@link #runOnce()}: each pass takes one step, so this is more steps than any desired set needs. */
    public static final int MAX_ONCE_PASSES = 32;
    /**
     * How often the agent looks at the stacks of the tasks that blocked a stalled load while its retry
     * waits: one /proc/PID/stack read (a kernel unwind) per blocker each time.
     */
    public static final Duration RECHECK_EVERY = Duration.ofSeconds(5);

    /** SLF4J, as the server logs: {@code --log-format json} renders its key-value pairs as the fleet fields. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final HostKernel kernel;
    private final ControlPlane server;
    private final StateFile stateFile;
    private final ArtifactCache artifacts;
    private final InstantSource clock;
    private final Pause pause;
    private final RandomGenerator random;
    private final Duration crashWindow;

    private AgentState state;
    private String etag;
    private CheckinResponse desired;
    private int consecutiveErrors;
    private boolean lastCheckinUnchanged;
    private volatile String kernelRelease;
    private volatile Instant lastCheckinAt;
    /** The host's own idle check-in interval ({@code klpfleet agent --interval}), or null to follow the server's. */
    private Duration checkinInterval;
    /**
     * The tasks that blocked the last stalled load of each artifact and rollout ({@link #stallKey}), kept
     * in memory only: after a restart a retry simply waits for its notBefore.
     */
    private final java.util.Map<String, List<dev.klpfleet.kernel.transition.Blocker>> stallBlockers = new java.util.HashMap<>();
    /** The last look at those tasks per key, and when it was taken (bounded by {@link #RECHECK_EVERY}). */
    private final java.util.Map<String, List<dev.klpfleet.kernel.transition.BlockerRecheck.Seen>> lastRecheck = new java.util.HashMap<>();
    private final java.util.Map<String, Instant> lastRecheckAt = new java.util.HashMap<>();

    /**
     * @throws IOException when the state file exists but is unreadable (the agent refuses to start
     *                     rather than forget which patches it loaded)
     */
    public Agent(HostKernel kernel, ControlPlane server, StateFile stateFile, ArtifactCache artifacts, InstantSource clock,
                 Pause pause, RandomGenerator random) throws IOException {
        this(kernel, server, stateFile, artifacts, clock, pause, random, CrashGuard.DEFAULT_WINDOW);
    }

    /** @param crashWindow a patch its boot did not survive by this long after applying is held back ({@link CrashGuard}) */
    public Agent(HostKernel kernel, ControlPlane server, StateFile stateFile, ArtifactCache artifacts, InstantSource clock,
                 Pause pause, RandomGenerator random, Duration crashWindow) throws IOException {
        this.crashWindow = crashWindow;
        this.kernel = kernel;
        this.server = server;
        this.stateFile = stateFile;
        this.artifacts = artifacts;
        this.clock = clock;
        this.pause = pause;
        this.random = random;
        this.state = stateFile.load();
    }

    /**
     * Checks in every {@code interval} while idle instead of the server's {@code checkinIntervalSeconds}
     * (still bounded by {@link Requeue#MIN_INTERVAL}..{@link Requeue#MAX_INTERVAL}); errors and
     * a server's {@code Retry-After} still only lengthen the wait.
     */
    public Agent checkinInterval(Duration interval) {
        this.checkinInterval = interval;
        return this;
    }

    /** The kernel release the last check-in reported, or null before the first. */
    public String kernelRelease() {
        return kernelRelease;
    }

    /** When the server last answered a check-in (200 or 304), or null before it ever did in this process. */
    public Instant lastCheckinAt() {
        return lastCheckinAt;
    }

    /** The state as last saved. */
    public AgentState state() {
        return state;
    }

    /**
     * Enrolls this host unless the state file already holds a credential.
     *
     * @return the new host id, or null when already enrolled (the token is then not used)
     */
    public String enrollIfNeeded(String enrollmentToken, Identity who) throws ControlPlaneException, IOException, InterruptedException {
        if (state.enrolled()) {
            return null;
        }
        Observation now = kernel.observe(Set.of());
        List<String> capabilities = kernel.livepatchSupported() ? List.of("livepatch") : List.of();
        EnrollResponse r = server.enroll(enrollmentToken, new EnrollRequest(who.hostname(), now.kernelRelease(), who.distro(),
                who.labels(), capabilities));
        save(state.enrolled(r.hostId(), r.credential()));
        return r.hostId();
    }

    /**
     * Passes until one finds nothing left to do, fails, or {@link #MAX_ONCE_PASSES} ran. While a
     * transition runs it waits {@link Requeue#TRANSITION_RECHECK} between passes. Returns every pass.
     */
    public List<Pass> runOnce() throws InterruptedException {
        List<Pass> passes = new ArrayList<>();
        for (int i = 0; i < MAX_ONCE_PASSES; i++) {
            Pass p = pass();
            passes.add(p);
            if (p.outcome() == Requeue.Outcome.IDLE || p.outcome() == Requeue.Outcome.FAILED) {
                break;
            }
            if (p.outcome() == Requeue.Outcome.WAITING) {
                pause.sleep(p.next());
            }
        }
        return passes;
    }

    /** Passes forever, sleeping as {@link Requeue} says between them; returns only when interrupted. */
    public void runForever(Consumer<Pass> onPass) throws InterruptedException {
        while (!Thread.currentThread().isInterrupted()) {
            Pass p = pass();
            onPass.accept(p);
            if (!p.next().isZero()) {
                pause.sleep(p.next());
            }
        }
        throw new InterruptedException("agent stopped");
    }

    /** One reconcile pass. Never throws for a server or disk failure: those end the pass as FAILED. */
    public Pass pass() throws InterruptedException {
        List<Action> actions = new ArrayList<>();
        if (!state.enrolled()) {
            return failed(actions, "not-enrolled", "this host is not enrolled: run once with --enroll-token", Optional.empty());
        }
        // Every line logged during the pass, the artifact cache's too, names the host (the MDC field "host").
        try (MDC.MDCCloseable host = MDC.putCloseable("host", state.hostId())) {
            return enrolledPass(actions);
        }
    }

    private Pass enrolledPass(List<Action> actions) throws InterruptedException {
        try {
            flushOutbox(actions);
            Observation seen = kernel.observe(names());
            health(seen, actions);
            guard(seen, actions);
            List<DesiredPatch> want = checkin(seen);
            releaseClearedHolds(actions);
            if (!names().containsAll(want.stream().map(DesiredPatch::patch).toList())) {
                seen = kernel.observe(names());
            }
            Map<String, String> held = new TreeMap<>();
            state.crashSuspects().values().forEach(c -> held.put(c.patch(), c.sha256()));
            Instant now = clock.instant();
            Step step = Diff.next(seen, want, state.managed(), state.failures(), held, now, d -> blockersLeft(d, now));
            if (step instanceof Step.Pending p) {
                List<dev.klpfleet.kernel.transition.BlockerRecheck.Seen> look = lastRecheck.getOrDefault(stallKey(p.desired()), List.of());
                String where = look.isEmpty() ? "" : "; last blockers: " + look.stream()
                        .map(x -> x.comm() + " pid " + x.pid() + " " + x.where().name().toLowerCase(Locale.ROOT).replace('_', ' ')
                                + (x.stillIn().isEmpty() ? "" : " " + String.join(", ", x.stillIn())))
                        .reduce((a, b) -> a + ", " + b).orElse("");
                // While blockers are known, look again soon (at RECHECK_EVERY); otherwise the retry waits for its time.
                return done(stallBlockers.containsKey(stallKey(p.desired())) ? Requeue.Outcome.WAITING : Requeue.Outcome.IDLE,
                        actions, p.why() + where);
            }
            if (step instanceof Step.Idle) {
                return done(Requeue.Outcome.IDLE, actions, "nothing to do: " + want.size() + " desired, "
                        + state.managed().size() + " managed" + (lastCheckinUnchanged ? "; desired set unchanged (304)" : ""));
            }
            if (step instanceof Step.Wait w) {
                return done(Requeue.Outcome.WAITING, actions, w.why());
            }
            String why = execute(step, seen, actions);
            flushOutbox(actions);
            return done(Requeue.Outcome.STEPPED, actions, why);
        } catch (ControlPlaneException e) {
            return failed(actions, e.kind().name().toLowerCase(Locale.ROOT), e.getMessage(), e.retryAfter());
        } catch (IOException | UncheckedIOException e) {
            return failed(actions, "io", e.getMessage(), Optional.empty());
        }
    }

    private Pass done(Requeue.Outcome outcome, List<Action> actions, String detail) {
        consecutiveErrors = 0;
        return new Pass(outcome, actions, detail, null, Requeue.after(outcome, interval(), 0, random), state.droppedEvents());
    }

    /** A failed pass backs off, and waits at least as long as the server's {@code Retry-After} asked (bounded). */
    private Pass failed(List<Action> actions, String error, String detail, Optional<Duration> retryAfter) {
        consecutiveErrors++;
        return new Pass(Requeue.Outcome.FAILED, actions, detail, error,
                Requeue.afterFailure(consecutiveErrors, retryAfter, random), state.droppedEvents());
    }

    private Duration interval() {
        if (checkinInterval != null) {
            return checkinInterval;
        }
        return desired == null ? Requeue.DEFAULT_INTERVAL : Duration.ofSeconds(desired.checkinIntervalSeconds());
    }

    /** Module names the observation must look up: every managed patch and every desired one. */
    private Set<String> names() {
        Set<String> n = new TreeSet<>(state.managed().keySet());
        if (desired != null) {
            desired.desired().forEach(d -> n.add(d.patch()));
        }
        return n;
    }

    private List<DesiredPatch> checkin(Observation seen) throws ControlPlaneException, IOException, InterruptedException {
        List<LoadedPatch> loaded = seen.patches().stream().map(p -> {
            ManagedPatch m = state.managed().get(p.name());
            return new LoadedPatch(p.name(), m == null ? null : m.version(), p.state(), m == null ? null : m.sha256());
        }).toList();
        // An unreadable taint is sent as null (unknown), never as 0: the server must not take it for a clean kernel.
        CheckinRequest req = new CheckinRequest(seen.kernelRelease(), loaded, seen.taint().orElse(null));
        kernelRelease = seen.kernelRelease();
        Checkin answer = server.checkin(state.hostId(), state.credential(), req, desired == null ? null : etag);
        lastCheckinAt = clock.instant();
        String boot = seen.bootId().orElse(null);
        if (boot != null && state.loads().values().stream().anyMatch(m -> undecided(m, boot))) {
            // The crash guard's estimate of how long this boot lived after a load: written only until every
            // load of this boot is a window old, so a settled host does not write its state file per check-in.
            save(state.checkedIn(new BootCheckin(boot, lastCheckinAt)));
        }
        lastCheckinUnchanged = answer instanceof Checkin.Unchanged;
        if (answer instanceof Checkin.Changed c) {
            desired = c.response();
            etag = c.etag();
        }
        return desired.desired() == null ? List.of() : desired.desired();
    }

    /** Reports bad taint flags that appeared since the last pass. The first observation is the baseline: nothing to compare with. */
    private void health(Observation seen, List<Action> actions) throws ControlPlaneException, IOException, InterruptedException {
        if (seen.taint().isEmpty()) {
            return;
        }
        Taint now = Taint.decode(seen.taint().get());
        Long last = state.lastTaint();
        if (last != null && last == now.value()) {
            return;
        }
        AgentState next = state.withTaint(now.value(), seen.bootId().orElse(null));
        // Taint is sticky until reboot; a mask that lost bits means the host rebooted, and the new reading is a new baseline.
        if (last != null && (last & ~now.value()) == 0 && !now.addedSince(Taint.decode(last)).bad().isEmpty()) {
            HostEvent e = Events.taint(now, Taint.decode(last), seen.bootId(), clock.instant());
            next = next.enqueue(e);
            actions.add(new Action("health", null, null, "taint", e.evidence().path("message").asText(), e.eventId(), null));
        }
        save(next);
        flushOutbox(actions);
    }

    /** Whether a crash of this boot now could still hold {@code m} back: a load of this boot not yet checked in a window after it. */
    private boolean undecided(LoadMark m, String boot) {
        BootCheckin c = state.lastCheckin();
        return boot.equals(m.bootId()) && (m.completedAt() == null || c == null || !boot.equals(c.bootId())
                || c.at().isBefore(m.completedAt().plus(crashWindow)));
    }

    /**
     * The crash-loop guard: judges the load marks earlier boots left ({@link CrashGuard}); a suspect is
     * held back and reported as {@code crash-suspected}, in the same state write that drops its mark.
     */
    private void guard(Observation seen, List<Action> actions) throws ControlPlaneException, IOException, InterruptedException {
        List<CrashGuard.Finding> found = CrashGuard.judge(seen.bootId(), state.loads(), state.lastCheckin(), crashWindow);
        if (found.isEmpty()) {
            return;
        }
        AgentState next = state;
        for (CrashGuard.Finding f : found) {
            LoadMark m = f.mark();
            next = next.unmarked(m.patch());
            if (f instanceof CrashGuard.Finding.Suspect s) {
                Instant now = clock.instant();
                HostEvent e = Events.crashSuspected(s, seen.bootId().orElseThrow(), seen.kernelRelease(), crashWindow, now);
                next = next.suspected(new CrashSuspect(m.patch(), m.version(), m.sha256(), m.rolloutId(), s.reason(), m.bootId(),
                        m.startedAt(), m.completedAt(), s.lastCheckin().map(BootCheckin::at).orElse(null), e.eventId(), now)).enqueue(e);
                ManagedPatch mp = next.managed().get(m.patch());
                // The crash took the module with it: an entry left would make the next step resume or redo the load.
                if (mp != null && mp.sha256().equals(m.sha256()) && !seen.present(m.patch())) {
                    next = next.withoutManaged(m.patch());
                }
                String message = e.evidence().path("message").asText();
                LOG.atWarn().addKeyValue("patch", m.patch()).addKeyValue("version", m.version()).addKeyValue("eventId", e.eventId())
                        .addKeyValue("outcome", e.result().wire()).log("{}", message);
                actions.add(new Action("crash-guard", m.patch(), m.version(), e.result().wire(), message, e.eventId(), null));
            }
        }
        save(next);
        flushOutbox(actions);
    }

    /** Lifts the holds whose crash-suspected event an operator cleared; asks the server only while a hold exists. */
    private void releaseClearedHolds(List<Action> actions) throws ControlPlaneException, IOException, InterruptedException {
        if (state.crashSuspects().isEmpty()) {
            return;
        }
        List<CrashHold> holds = server.crashHolds(state.hostId(), state.credential());
        AgentState next = state;
        for (CrashSuspect c : state.crashSuspects().values()) {
            Optional<CrashHold> h = holds.stream().filter(x -> x.eventId().equals(c.eventId()) && x.clearedAt() != null).findFirst();
            if (h.isPresent()) {
                next = next.cleared(c.patch());
                actions.add(new Action("crash-guard", c.patch(), c.version(), "cleared", "crash hold on " + c.patch() + " " + c.version()
                        + " cleared by " + h.get().clearedBy() + " at " + h.get().clearedAt() + "; it may be loaded again", c.eventId(), null));
            }
        }
        if (next != state) {
            save(next);
        }
    }

    /** The key of the blockers kept for one artifact's loads in one rollout. */
    private static String stallKey(DesiredPatch d) {
        return Failures.apply(d.patch(), d.sha256(), d.rolloutId());
    }

    /**
     * Whether the retry {@code d} may start before its notBefore: the tasks that blocked the last
     * attempt are known and every one of them has left the patched functions (or exited). Looks at
     * their stacks at most every {@link #RECHECK_EVERY}.
     */
    private boolean blockersLeft(DesiredPatch d, Instant now) {
        String key = stallKey(d);
        List<dev.klpfleet.kernel.transition.Blocker> last = stallBlockers.get(key);
        if (last == null || d.attemptNumber() < 2) {
            return false;
        }
        Instant at = lastRecheckAt.get(key);
        if (at == null || !now.isBefore(at.plus(RECHECK_EVERY))) {
            lastRecheck.put(key, kernel.recheck(last));
            lastRecheckAt.put(key, now);
        }
        return dev.klpfleet.kernel.transition.BlockerRecheck.allLeft(lastRecheck.getOrDefault(key, List.of()));
    }

    private String execute(Step step, Observation seen, List<Action> actions)
            throws ControlPlaneException, IOException, InterruptedException {
        if (step instanceof Step.Load l) {
            load(l.desired(), seen, actions);
            return l.why();
        }
        if (step instanceof Step.Unload u) {
            unload(u.managed(), actions);
            return u.why();
        }
        Step.Forget f = (Step.Forget) step;
        save(state.withoutManaged(f.managed().patch()));
        actions.add(new Action("forget", f.managed().patch(), f.managed().version(), "forgotten", f.why(), null, null));
        return f.why();
    }

    private void load(DesiredPatch d, Observation seen, List<Action> actions)
            throws ControlPlaneException, IOException, InterruptedException {
        ManagedPatch prev = state.managed().get(d.patch());
        boolean resuming = prev != null && prev.phase() == ManagedPatch.Phase.LOADING
                && prev.sha256().equals(d.sha256()) && prev.rolloutId().equals(d.rolloutId());
        // At least the plan's attempt: a retry after a reversed stall (whose entry is gone) gets a new event id.
        int attempt = Math.max(resuming ? prev.attempt() : prev == null ? 1 : prev.attempt() + 1, d.attemptNumber());
        String eventId = Events.id("apply", d.patch(), d.version(), d.sha256(), d.rolloutId(), attempt);
        String failureKey = Failures.apply(d.patch(), d.sha256(), d.rolloutId(), d.attemptNumber());
        String key = stallKey(d);
        Instant now = clock.instant();
        Attempt stamp = new Attempt(d.attemptNumber(), d.notBefore(), d.notBefore() != null && now.isBefore(d.notBefore()),
                lastRecheck.getOrDefault(key, List.of()));

        Fetched fetched = artifacts.fetch(d, state.credential(), seen.kernelRelease());
        ModuleInspection module = null;
        if (fetched instanceof Fetched.Ready ready) {
            try {
                module = ModuleInspector.inspect(ready.module());
            } catch (ModuleFormatException e) {
                fetched = new Fetched.Refused("module-malformed", e.getMessage());
            }
        }
        if (fetched instanceof Fetched.Refused r) {
            LoadResult refusal = Events.refusal(d.patch(), d.sha256(), seen.kernelRelease(), r.reason(), r.detail());
            HostEvent e = Events.apply(eventId, d.version(), refusal, clock.instant(), stamp);
            save(state.failed(failureKey, clock.instant()).enqueue(e));
            actions.add(new Action("load", d.patch(), d.version(), e.result().wire(), refusal.message(), eventId, refusal));
            return;
        }
        Fetched.Ready ready = (Fetched.Ready) fetched;
        // The intent goes to disk before insmod: after a crash this patch is known to be ours.
        // The crash guard's mark goes in the same write: a boot that dies during insmod leaves it without completedAt.
        LoadMark earlier = state.loads().get(d.patch());
        String boot = seen.bootId().orElse(null);
        boolean keepMark = earlier != null && earlier.completedAt() != null && earlier.sha256().equals(d.sha256())
                && boot != null && boot.equals(earlier.bootId());
        LoadMark mark = keepMark ? earlier : new LoadMark(d.patch(), d.version(), d.sha256(), d.rolloutId(), boot, clock.instant(), null);
        save(state.withManaged(new ManagedPatch(d.patch(), d.version(), d.sha256(), d.rolloutId(), ManagedPatch.Phase.LOADING, attempt))
                .marked(mark));
        LoadResult r = kernel.load(ready.module(), module);
        HostEvent e = Events.apply(eventId, d.version(), r, clock.instant(), stamp);
        lastRecheck.remove(key);
        lastRecheckAt.remove(key);
        if (r.result() == Result.STALLED_REVERTED) {
            stallBlockers.put(key, r.blockers());
        } else {
            stallBlockers.remove(key);
        }
        AgentState next = state.enqueue(e);
        ManagedPatch loaded = new ManagedPatch(d.patch(), d.version(), d.sha256(), d.rolloutId(), ManagedPatch.Phase.LOADED, attempt);
        // A load that left our code in the kernel is watched for the crash window; one that left nothing is done with.
        next = r.result() == Result.APPLIED || moduleLeftLoaded(r.result())
                ? next.marked(mark.completedAt() == null ? mark.completed(clock.instant()) : mark) : next.unmarked(d.patch());
        if (r.result() == Result.APPLIED) {
            next = next.withManaged(loaded);
        } else {
            next = next.failed(failureKey, clock.instant());
            if (moduleLeftLoaded(r.result())) {
                next = next.withManaged(loaded); // our module is still in the kernel
            } else if (prev != null && prev.phase() == ManagedPatch.Phase.LOADED) {
                next = next.withManaged(prev); // a re-load that failed leaves the earlier load as it was
            } else {
                next = next.withoutManaged(d.patch());
            }
        }
        save(next);
        actions.add(new Action("load", d.patch(), d.version(), e.result().wire(), r.message(), eventId, r));
    }

    private void unload(ManagedPatch m, List<Action> actions) throws IOException, InterruptedException {
        int attempt = m.phase() == ManagedPatch.Phase.UNLOADING ? m.attempt() : m.attempt() + 1;
        String eventId = Events.id("unload", m.patch(), m.version(), m.sha256(), m.rolloutId(), attempt);
        save(state.withManaged(m.with(ManagedPatch.Phase.UNLOADING, attempt)));
        LoadResult r = kernel.unload(m.patch());
        HostEvent e = Events.unload(eventId, m.version(), r, clock.instant());
        AgentState next = state.enqueue(e);
        next = e.result() == UnloadResult.UNLOADED ? next.withoutManaged(m.patch()).unmarked(m.patch())
                : next.withManaged(m.with(ManagedPatch.Phase.LOADED, attempt)).failed(Failures.unload(m.patch(), m.sha256()), clock.instant());
        save(next);
        actions.add(new Action("unload", m.patch(), m.version(), e.result().wire(), r.message(), eventId, r));
    }

    /** Whether a load that did not apply still left our module in the kernel (so it stays ours to unload). */
    private static boolean moduleLeftLoaded(Result r) {
        return switch (r) {
            case STALLED_WAITING, REVERT_STALLED, DISABLE_FAILED, RMMOD_FAILED -> true;
            case APPLIED, REFUSED, LOAD_FAILED, STALLED_REVERTED, UNLOADED, NOT_LOADED -> false;
        };
    }

    /**
     * Sends every event in the outbox, oldest first; each leaves it once the server has it (201, or
     * 409: recorded before). A retryable failure (no answer, 401/403, 408, 429, 5xx, an unexpected
     * status) ends the pass with the event still queued, so it is sent again after the backoff. Only
     * a terminal rejection (400, 413, 422: the same bytes can never be accepted) drops it, logged,
     * shown as a {@code report} action and counted in {@link AgentState#droppedEvents()}.
     */
    private void flushOutbox(List<Action> actions) throws ControlPlaneException, IOException, InterruptedException {
        for (HostEvent e : state.outbox()) {
            try {
                server.report(state.hostId(), state.credential(), e);
            } catch (ControlPlaneException x) {
                if (x.kind().retryable()) {
                    throw x;
                }
                // The server will never take this event as it is; keeping it would block every later one.
                LOG.atWarn().addKeyValue("patch", e.patch()).addKeyValue("version", e.version()).addKeyValue("eventId", e.eventId())
                        .addKeyValue("outcome", "rejected").log("dropped event {}: {}", e.eventId(), x.getMessage());
                actions.add(new Action("report", e.patch(), e.version(), "rejected", x.getMessage(), e.eventId(), null));
                save(state.dropped(e.eventId()));
                continue;
            }
            save(state.acknowledged(e.eventId()));
        }
    }

    private void save(AgentState next) throws IOException {
        stateFile.save(next);
        state = next;
    }
}
