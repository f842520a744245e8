package dev.klpfleet.server.rollout;

import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.Decision;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutCore;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.metrics.FleetMetrics;
import dev.klpfleet.server.metrics.RolloutSeries;
import dev.klpfleet.server.rollout.core.Targeting;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.host.HostView;
import dev.klpfleet.server.patch.PatchStore;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.Ids;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;

/**
 * Rollouts in the database: creation, operator commands and engine steps. Every change runs the
 * pure {@link RolloutCore} on the stored state and writes the new state and its decisions in one
 * transaction guarded by the row's revision, so two server processes can never both record a
 * step from the same state.
 */
public final class Rollouts {
    private final Database db;
    private final InstantSource clock;
    private final HostStore hosts;
    private final PatchStore patches;
    private final AuditLog audit;
    private volatile java.util.function.Consumer<DesiredChange> onDesiredChange = c -> {};
    private final Set<String> unreadableLogged = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Finished rollouts with nothing in flight, by the revision they were seen at: not read again until it moves. */
    private final Map<String, Long> settled = new java.util.concurrent.ConcurrentHashMap<>();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Rollouts.class);

    private final FleetMetrics metrics;

    public Rollouts(Database db, InstantSource clock, HostStore hosts, PatchStore patches, AuditLog audit) {
        this(db, clock, hosts, patches, audit, FleetMetrics.unregistered());
    }

    public Rollouts(Database db, InstantSource clock, HostStore hosts, PatchStore patches, AuditLog audit, FleetMetrics metrics) {
        this.metrics = metrics;
        this.db = db;
        this.clock = clock;
        this.hosts = hosts;
        this.patches = patches;
        this.audit = audit;
    }

    /**
     * What a committed step changed in hosts' desired sets: the hosts of rollout {@code rolloutId}
     * that began ({@code true}) or stopped wanting its patch, or that still want it at another attempt
     * (a retry of a stalled transition: {@code true} again), at desired-state generation
     * {@code generation}; {@code attempts} holds the attempt of every host in {@code wants} that wants
     * the patch; {@code whole} when the change is not listed host by host (a rollback, or a row stored
     * whole), so only a rebuild tells it.
     */
    public record DesiredChange(String rolloutId, long generation, Map<String, Boolean> wants, Map<String, DesiredAttempt> attempts,
                                boolean whole) {}

    /** Runs {@code listener} after every committed change that moved any host's desired set. */
    public void onDesiredChange(java.util.function.Consumer<DesiredChange> listener) {
        this.onDesiredChange = listener;
    }

    /** What a create or command came to. */
    public sealed interface Outcome {
        record Done(RolloutView view) implements Outcome {}

        record NotFound(String reason) implements Outcome {}

        /** The request is malformed (HTTP 400). */
        record Invalid(String reason) implements Outcome {}

        /** The rollout's state does not allow it (HTTP 409). */
        record Conflict(String reason) implements Outcome {}
    }

    public Outcome create(RolloutRequest req, Principal.Operator who) {
        String problem = req.problem();
        if (problem != null) {
            return new Outcome.Invalid(problem);
        }
        Plan plan = req.plan() == null ? Plan.defaults() : req.plan();
        if (!patches.versionExists(req.patch(), req.version())) {
            return new Outcome.NotFound("no patch " + req.patch() + " version " + req.version() + " in the catalog");
        }
        RolloutRequest.Selector sel = req.selector() == null ? RolloutRequest.Selector.ALL : req.selector();
        List<HostView> matched = hosts.list(sel.labels() == null ? Map.of() : sel.labels(),
                sel.hostLabels() == null ? Map.of() : sel.hostLabels(),
                sel.kernelReleases() == null ? List.of() : sel.kernelReleases()).stream().filter(h -> h.revokedAt() == null).toList();
        if (matched.isEmpty()) {
            return new Outcome.Invalid("selector matches no enrolled host");
        }
        Set<String> builtFor = patches.artifacts(req.patch(), req.version()).keySet();
        String id = Ids.next("r");
        Instant now = clock.instant();
        RolloutState state = Targeting.initial(id, plan, matched.stream()
                .map(h -> new Targeting.Target(h.id(), h.labels(), builtFor.contains(h.kernelRelease()))).toList(), now);
        RolloutRequest stored = new RolloutRequest(req.patch(), req.version(), sel, plan);
        db.inTransaction(h -> {
            h.createUpdate("INSERT INTO rollouts (id, patch_name, patch_version, status, spec_json, state_json, revision, created_at, updated_at, "
                            + "events_cursor) VALUES (:id, :p, :v, :s, :spec, :state, 0, :now, :now, :now)")
                    .bind("id", id).bind("p", req.patch()).bind("v", req.version()).bind("s", state.status().name())
                    .bind("spec", StateJson.write(stored)).bind("state", StateJson.write(head(state))).bind("now", now.toEpochMilli()).execute();
            RolloutHosts.insertAll(h, id, state);
            audit.record(h, who, "rollout.create", id, req.patch() + " " + req.version() + " to " + matched.size() + " hosts ("
                    + state.count(Phase.NO_BUILD) + " no build)");
            return null;
        });
        return new Outcome.Done(view(id).orElseThrow());
    }

    /** Applies an operator command; refused commands are audited and change nothing else. */
    public Outcome command(String id, Command cmd, Principal.Operator who) {
        String action = "rollout." + cmd.verb().wire();
        for (int attempt = 0; attempt < 5; attempt++) {
            Optional<Row> row = load(id);
            if (row.isEmpty()) {
                return new Outcome.NotFound("no rollout " + id);
            }
            Instant now = clock.instant();
            Row r = row.get();
            RolloutHosts.Window w = window(r, now);
            RolloutCore.Step step;
            try {
                step = RolloutCore.step(w.state(), w.reports(), Optional.of(cmd), now);
            } catch (RuntimeException e) {
                audit.record(who, action, id, "refused: engine error: " + describe(e));
                return new Outcome.Conflict("rollout " + id + " cannot be stepped (engine error: " + describe(e) + "); abort or roll it back");
            }
            if (step.rejected() != null) {
                audit.record(who, action, id, "refused: " + step.rejected());
                return new Outcome.Conflict(step.rejected());
            }
            long[] generation = {-1};
            boolean saved = db.inTransaction(h -> {
                if (!save(h, r, w, step, now, generation)) {
                    return false;
                }
                audit.record(h, who, action, id, "done: " + (cmd.reason() == null ? "" : cmd.reason()));
                return true;
            });
            if (saved) {
                counted(r, step);
                if (generation[0] >= 0) {
                    onDesiredChange.accept(change(r, w, step, generation[0]));
                }
                return new Outcome.Done(view(id).orElseThrow());
            }
            // Another process stepped this rollout meanwhile: decide again on its state.
        }
        return new Outcome.Conflict("rollout " + id + " is changing too fast to apply the command; try again");
    }

    /**
     * Runs one engine step on every rollout that still needs one ({@link RolloutState#needsSteps()}:
     * running or paused, or finished with hosts in flight). A rollout whose step throws is paused with
     * the error as its reason ({@link RolloutCore#faulted}) and the others go on. Returns the number of
     * decisions recorded. Safe to call from several processes at once. Publishes the figures of every
     * running or paused rollout it stepped ({@link FleetMetrics#rollouts()}).
     */
    public int stepAll() {
        Map<String, RolloutSeries.Figures> figures = new java.util.LinkedHashMap<>();
        int decided = stepAll(figures);
        metrics.rollouts().publish(figures.values());
        return decided;
    }

    /** Stops publishing rollout figures: this process no longer steps rollouts. */
    public void unpublish() {
        metrics.rollouts().publish(List.of());
    }

    private int stepAll(Map<String, RolloutSeries.Figures> figures) {
        List<Map.Entry<String, Long>> rows = db.withHandle(h -> h.createQuery(
                        "SELECT id, revision FROM rollouts WHERE status <> 'COMPLETED' ORDER BY created_at, id")
                .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).list());
        int decided = 0;
        int stepped = 0;
        for (Map.Entry<String, Long> row : rows) {
            String id = row.getKey();
            if (row.getValue().equals(settled.get(id))) {
                continue;
            }
            try {
                decided += stepOne(id, figures);
                stepped++;
            } catch (CoreFailure e) {
                decided += fault(id, e.getCause(), figures);
            } catch (RuntimeException e) {
                // Reading the rollout or its hosts' reports failed (a database error, an unreadable row): not the
                // plan's fault, so it is not paused; the next tick tries again and the other rollouts go on.
                if (unreadableLogged.add(id + "\u0000" + describe(e))) {
                    LOG.atWarn().addKeyValue("rollout", id).log("rollout {} could not be stepped this tick: {}", id, describe(e));
                }
            }
        }
        lastStepped = stepped;
        return decided;
    }

    /** The decision core threw while stepping a rollout: the rollout's own state or plan is at fault. */
    private static final class CoreFailure extends RuntimeException {
        CoreFailure(RuntimeException cause) {
            super(cause);
        }
    }

    /** How many rollouts the last {@link #stepAll} stepped. */
    public int lastStepped() {
        return lastStepped;
    }

    private volatile int lastStepped;

    private int stepOne(String id, Map<String, RolloutSeries.Figures> figures) {
        Optional<Row> row = load(id);
        if (row.isEmpty()) {
            return 0;
        }
        if (!row.get().state.needsSteps()) {
            // Only a command (which bumps the revision) can give a settled rollout work again, e.g. a rollback.
            settled.put(id, row.get().revision);
            return 0;
        }
        Row r = row.get();
        Instant now = clock.instant();
        RolloutHosts.Window w = window(r, now);
        RolloutCore.Step step;
        try {
            step = RolloutCore.step(w.state(), w.reports(), Optional.empty(), now);
        } catch (RuntimeException e) {
            throw new CoreFailure(e);
        }
        int n = record(r, w, step, now);
        if (!step.state().status().finished()) {
            figures.put(id, RolloutFigures.of(id, r.patch, r.version, step.state(), w.reports(), noBuild(r), now));
        }
        return n;
    }

    /** Records that stepping rollout {@code id} threw {@code e}: once per distinct error, in its state, decisions and the log. */
    private int fault(String id, Throwable e, Map<String, RolloutSeries.Figures> figures) {
        String error = describe(e);
        Row r = load(id).orElse(null);
        if (r == null) {
            return 0;
        }
        Instant now = clock.instant();
        RolloutHosts.Window w = new RolloutHosts.Window(r.state, Map.of(), r.cursor);
        RolloutCore.Step step = RolloutCore.faulted(r.state, error, now);
        int n = record(r, w, step, now);
        if (!step.state().status().finished()) {
            // The core cannot step it, so no gate is evaluated: its phases and halt still show.
            figures.put(id, RolloutFigures.of(id, r.patch, r.version, step.state(), Map.of(), noBuild(r), now));
        }
        if (n > 0) {
            LOG.atWarn().addKeyValue("rollout", id).addKeyValue("patch", r.patch).addKeyValue("version", r.version)
                    .addKeyValue("outcome", "engine_error").log("rollout {} stepping failed; {}", id, step.state().haltReason());
        }
        return n;
    }

    /** Saves {@code step} if it changed anything; the number of decisions recorded. */
    private int record(Row r, RolloutHosts.Window w, RolloutCore.Step step, Instant now) {
        if (step.decisions().isEmpty() && step.state().equals(w.state()) && !r.legacy) {
            if (w.cursor() > r.cursor) {
                // Nothing moved: only the cursor advances (no new revision), so the next step does not read these events again.
                db.inTransaction(h -> h.createUpdate("UPDATE rollouts SET events_cursor = :c WHERE id = :id AND revision = :rev AND events_cursor < :c")
                        .bind("c", w.cursor()).bind("id", r.id).bind("rev", r.revision).execute());
            }
            return 0;
        }
        long[] generation = {-1};
        if (!db.inTransaction(h -> save(h, r, w, step, now, generation))) {
            return 0;
        }
        counted(r, step);
        if (generation[0] >= 0) {
            onDesiredChange.accept(change(r, w, step, generation[0]));
        }
        return step.decisions().size();
    }

    /** The step's input: a legacy row's whole state and every host's reports, or a stored row's window. */
    private RolloutHosts.Window window(Row r, Instant now) {
        if (r.legacy) {
            Map<String, HostReport> reports = db.withHandle(h -> Observations.forRollout(h, r.patch, r.version, r.state.hosts().keySet()));
            lastWindow = r.state.hosts().size();
            return new RolloutHosts.Window(r.state, reports, now.toEpochMilli());
        }
        boolean sweep = now.toEpochMilli() >= lastSweep.getOrDefault(r.id, 0L) + RolloutHosts.SWEEP_EVERY.toMillis();
        if (sweep) {
            lastSweep.put(r.id, now.toEpochMilli());
        }
        RolloutHosts.Window w = db.withHandle(h -> RolloutHosts.read(h, r.id, r.patch, r.version, r.state, r.cursor, sweep, now));
        lastWindow = w.state().hosts().size();
        return w;
    }

    /** How many hosts the last step of any rollout read (its window): what a step's cost follows. */
    public int lastWindow() {
        return lastWindow;
    }

    private volatile int lastWindow;

    /** When each rollout's applying hosts last had their results read whatever the cursor said (in this process). */
    private final Map<String, Long> lastSweep = new java.util.concurrent.ConcurrentHashMap<>();

    /** A state as stored in the rollouts row: everything but the hosts, which live in rollout_hosts. */
    private static RolloutState head(RolloutState s) {
        return s.withWindow(new java.util.TreeMap<>());
    }

    /**
     * Whether a step changed any host's desired set: a host entered or left a phase wanting the patch,
     * one wanting it is told another attempt (a retry is a new attempt in the same desired set), or a rollback.
     */
    private static boolean desiredMoved(RolloutState before, RolloutCore.Step step) {
        if (rolledBack(step)) {
            return true;
        }
        for (HostProgress p : step.state().hosts().values()) {
            if (desiredMoved(before.hosts().get(p.hostId()), p)) {
                return true;
            }
        }
        return false;
    }

    /** Whether one host's desired set moved from {@code b} (null: not in the window before) to {@code p}. */
    private static boolean desiredMoved(HostProgress b, HostProgress p) {
        return b == null || b.phase().wantsPatch() != p.phase().wantsPatch()
                || p.phase().wantsPatch() && !DesiredAttempt.of(b).equals(DesiredAttempt.of(p));
    }

    private static DesiredChange change(Row r, RolloutHosts.Window w, RolloutCore.Step step, long generation) {
        if (r.legacy || rolledBack(step)) {
            return new DesiredChange(r.id, generation, Map.of(), Map.of(), true);
        }
        Map<String, Boolean> wants = new java.util.HashMap<>();
        Map<String, DesiredAttempt> attempts = new java.util.HashMap<>();
        for (HostProgress p : step.state().hosts().values()) {
            HostProgress b = w.state().hosts().get(p.hostId());
            if (b != null && desiredMoved(b, p)) {
                wants.put(p.hostId(), p.phase().wantsPatch());
                if (p.phase().wantsPatch()) {
                    attempts.put(p.hostId(), DesiredAttempt.of(p));
                }
            }
        }
        return new DesiredChange(r.id, generation, wants, attempts, false);
    }

    private static boolean rolledBack(RolloutCore.Step step) {
        return step.decisions().stream().anyMatch(d -> d.kind() == Decision.Kind.ROLLBACK);
    }

    private List<String> noBuild(Row r) {
        return r.legacy ? Targeting.inPhase(r.state, Set.of(Phase.NO_BUILD))
                : db.withHandle(h -> RolloutHosts.inPhase(h, r.id, Set.of(Phase.NO_BUILD)));
    }

    /** Counts a committed step's gate trips, and its halt if it stopped a running rollout. */
    private void counted(Row r, RolloutCore.Step step) {
        RolloutState before = r.state;
        boolean tripped = false;
        boolean engineError = false;
        for (Decision d : step.decisions()) {
            if (d.kind() == Decision.Kind.GATE_TRIPPED) {
                tripped = true;
                metrics.gateTripped(before.plan().gates().action() == dev.klpfleet.server.rollout.core.Gates.Action.ROLLBACK);
            } else if (d.kind() == Decision.Kind.ENGINE_ERROR) {
                engineError = true;
            }
        }
        Status after = step.state().status();
        if (before.status() == Status.RUNNING && after != Status.RUNNING && after != Status.COMPLETED) {
            FleetMetrics.HaltCause cause = tripped ? FleetMetrics.HaltCause.GATE : engineError ? FleetMetrics.HaltCause.ENGINE_ERROR
                    : FleetMetrics.HaltCause.OPERATOR;
            metrics.halted(cause);
            LOG.atInfo().addKeyValue("rollout", r.id).addKeyValue("patch", r.patch).addKeyValue("version", r.version)
                    .addKeyValue("outcome", after.name().toLowerCase(java.util.Locale.ROOT)).addKeyValue("cause", cause.label())
                    .log("rollout {} of {} {} is {}: {}", r.id, r.patch, r.version, after, step.state().haltReason());
        }
    }

    /** One line for an exception: its type and the first line of its message, at most 300 characters. */
    static String describe(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage().lines().findFirst().orElse("");
        String d = e.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
        return d.length() > 300 ? d.substring(0, 300) + "..." : d;
    }

    /** A rollouts row; {@code legacy} when its state_json still holds every host (stored before rollout_hosts existed). */
    private record Row(String id, String patch, String version, RolloutState state, long revision, Instant createdAt, Instant updatedAt,
                       long cursor, boolean legacy) {}

    private Optional<Row> load(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM rollouts WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> {
                    RolloutState st = StateJson.read(rs.getString("state_json"), RolloutState.class);
                    return new Row(rs.getString("id"), rs.getString("patch_name"), rs.getString("patch_version"),
                            st, rs.getLong("revision"), Instant.ofEpochMilli(rs.getLong("created_at")), Instant.ofEpochMilli(rs.getLong("updated_at")),
                            rs.getLong("events_cursor"), !st.hosts().isEmpty());
                })
                .findOne());
    }

    /** Writes a step if the row is still at the revision it was computed from; false if another process got there first. */
    /** Writes a step; {@code generation[0]} gets the desired-state generation it bumped to, if it moved any desired set. */
    private static boolean save(Handle h, Row r, RolloutHosts.Window w, RolloutCore.Step step, Instant now, long[] generation) {
        int updated = h.createUpdate("UPDATE rollouts SET state_json = :s, status = :st, desired_hosts = :dh, revision = revision + 1, "
                        + "updated_at = :now, events_cursor = :c WHERE id = :id AND revision = :rev")
                .bind("s", StateJson.write(head(step.state()))).bind("st", step.state().status().name())
                .bind("dh", wanting(step.state())).bind("now", now.toEpochMilli()).bind("c", Math.max(r.cursor, w.cursor()))
                .bind("id", r.id).bind("rev", r.revision).execute();
        if (updated != 1) {
            h.rollback();
            return false;
        }
        if (r.legacy) {
            RolloutHosts.insertAll(h, r.id, step.state());
        } else {
            RolloutHosts.write(h, r.id, w.state(), step, rolledBack(step), now);
        }
        long seq = h.createQuery("SELECT COALESCE(MAX(seq), 0) FROM rollout_decisions WHERE rollout_id = :id").bind("id", r.id)
                .mapTo(Long.class).one();
        for (Decision d : step.decisions()) {
            h.createUpdate("INSERT INTO rollout_decisions (rollout_id, seq, decided_at, kind, reason, actor, detail_json) "
                            + "VALUES (:id, :seq, :at, :k, :r, :a, :d)")
                    .bind("id", r.id).bind("seq", ++seq).bind("at", d.at().toEpochMilli()).bind("k", d.kind().name())
                    .bind("r", d.reason()).bind("a", d.actor())
                    .bind("d", StateJson.write(Map.of("wave", d.wave(), "hosts", d.hosts()))).execute();
        }
        if (desiredMoved(w.state(), step)) {
            generation[0] = Database.bumpGeneration(h);
        }
        return true;
    }

    /** How many of the rollout's hosts want its patch, from its tally. */
    private static long wanting(RolloutState s) {
        long n = 0;
        for (Phase p : RolloutCore.WANTS_PATCH) {
            n += s.count(p);
        }
        return n;
    }

    public boolean exists(String id) {
        return db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rollouts WHERE id = :id").bind("id", id).mapTo(Long.class).one()) > 0;
    }

    /** Decisions a rollout's view lists: the newest; the rest are paged through {@link #decisions(String, long, int)}. */
    public static final int VIEW_DECISIONS = 500;

    public Optional<RolloutView> view(String id) {
        return load(id).map(r -> {
            List<RolloutView.DecisionRecord> decisions = newestDecisions(id);
            List<RolloutView.HostLine> hosts = r.legacy ? RolloutView.hosts(r.state)
                    : hosts(id, null, VIEW_HOSTS).orElse(List.of());
            return new RolloutView(r.id, r.patch, r.version, r.state.status(), r.state.haltReason(), r.state.wave(),
                    r.state.soakStartedAt(), RolloutView.waves(r.state), noBuild(r), r.revision, r.createdAt, r.updatedAt,
                    hosts, decisions);
        });
    }

    /** Every rollout, newest first, without decisions. */
    public List<RolloutView> list() {
        List<String> ids = db.withHandle(h -> h.createQuery("SELECT id FROM rollouts ORDER BY created_at DESC, id").mapTo(String.class).list());
        return ids.stream().map(this::load).flatMap(Optional::stream).map(r -> new RolloutView(r.id, r.patch, r.version, r.state.status(),
                r.state.haltReason(), r.state.wave(), r.state.soakStartedAt(), RolloutView.waves(r.state),
                noBuild(r), r.revision, r.createdAt, r.updatedAt, List.of(), List.of())).toList();
    }

    /** Hosts a rollout's view lists; the rest are paged through {@link #hosts}. */
    public static final int VIEW_HOSTS = 500;

    /** One page of a rollout's hosts in host id order after {@code afterHostId} (null: the first page), or empty if there is no such rollout. */
    public Optional<List<RolloutView.HostLine>> hosts(String id, String afterHostId, int limit) {
        Optional<Row> row = load(id);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Row r = row.get();
        if (r.legacy) {
            return Optional.of(RolloutView.hosts(r.state).stream().filter(l -> afterHostId == null || l.hostId().compareTo(afterHostId) > 0)
                    .limit(limit).toList());
        }
        return Optional.of(db.withHandle(h -> RolloutHosts.page(h, id, afterHostId, limit)).stream()
                .map(RolloutView::line).toList());
    }

    private List<RolloutView.DecisionRecord> newestDecisions(String id) {
        List<RolloutView.DecisionRecord> newest = new java.util.ArrayList<>(db.withHandle(h -> h.createQuery(
                        "SELECT * FROM rollout_decisions WHERE rollout_id = :id ORDER BY seq DESC LIMIT :n")
                .bind("id", id).bind("n", VIEW_DECISIONS).map((rs, ctx) -> decision(rs)).list()));
        java.util.Collections.reverse(newest);
        return newest;
    }

    /** One page of a rollout's decisions in order after sequence number {@code afterSeq}. */
    public List<RolloutView.DecisionRecord> decisions(String id, long afterSeq, int limit) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM rollout_decisions WHERE rollout_id = :id AND seq > :after ORDER BY seq LIMIT :n")
                .bind("id", id).bind("after", afterSeq).bind("n", limit).map((rs, ctx) -> decision(rs)).list());
    }

    public List<RolloutView.DecisionRecord> decisions(String id) {
        return db.withHandle(h -> h.createQuery("SELECT * FROM rollout_decisions WHERE rollout_id = :id ORDER BY seq").bind("id", id)
                .map((rs, ctx) -> decision(rs)).list());
    }

    private static RolloutView.DecisionRecord decision(java.sql.ResultSet rs) throws java.sql.SQLException {
        Map<?, ?> detail = StateJson.read(rs.getString("detail_json"), Map.class);
        @SuppressWarnings("unchecked")
        List<String> hostIds = (List<String>) detail.get("hosts");
        return new RolloutView.DecisionRecord(rs.getLong("seq"), Instant.ofEpochMilli(rs.getLong("decided_at")),
                Decision.Kind.valueOf(rs.getString("kind")), rs.getString("reason"), rs.getString("actor"),
                ((Number) detail.get("wave")).intValue(), hostIds);
    }

    /**
     * A rollout row the desired-set cache reads: the hosts wanting its patch, and the attempt of those
     * past their first (the rest are on {@link DesiredAttempt#FIRST}); {@code desiredHosts} is -1 when
     * not counted yet.
     */
    record Active(String id, String patch, String version, Set<String> wanting, Map<String, DesiredAttempt> retried, long createdAt,
                  long revision, long desiredHosts) {}

    /**
     * The rollouts that can put a patch in any host's desired set, oldest first: those holding a
     * host in a phase that wants the patch, whatever their status (hosts of a completed or
     * aborted rollout keep what they applied), and those not counted yet. Rolled-back rollouts
     * and those whose every host failed are skipped without reading their state.
     */
    List<Active> active(Handle h) {
        return h.createQuery("SELECT id, patch_name, patch_version, state_json, created_at, revision, desired_hosts FROM rollouts "
                        + "WHERE desired_hosts <> 0 ORDER BY created_at, id")
                .map((rs, ctx) -> new Object[] {rs.getString(1), rs.getString(2), rs.getString(3),
                        StateJson.read(rs.getString(4), RolloutState.class), rs.getLong(5), rs.getLong(6), rs.getLong(7)})
                .list().stream().map(row -> {
                    String id = (String) row[0];
                    RolloutState st = (RolloutState) row[3];
                    Set<String> wanting = new java.util.HashSet<>();
                    Map<String, DesiredAttempt> retried = new java.util.HashMap<>();
                    if (st.hosts().isEmpty()) {
                        RolloutHosts.wanting(h, id, wanting, retried);
                    } else {
                        for (HostProgress p : st.hosts().values()) {
                            if (p.phase().wantsPatch()) {
                                wanting.add(p.hostId());
                                if (!DesiredAttempt.of(p).first()) {
                                    retried.put(p.hostId(), DesiredAttempt.of(p));
                                }
                            }
                        }
                    }
                    return new Active(id, (String) row[1], (String) row[2], Set.copyOf(wanting), Map.copyOf(retried), (Long) row[4],
                            (Long) row[5], (Long) row[6]);
                }).toList();
    }

    /** Stores the count of an uncounted row read by {@link #active}, unless a step changed it since; desired sets do not move. */
    static void count(Handle h, Active r) {
        h.createUpdate("UPDATE rollouts SET desired_hosts = :n WHERE id = :id AND revision = :rev AND desired_hosts = -1")
                .bind("n", (long) r.wanting().size()).bind("id", r.id()).bind("rev", r.revision()).execute();
    }

    Database db() {
        return db;
    }
}
