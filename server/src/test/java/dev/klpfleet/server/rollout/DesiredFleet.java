package dev.klpfleet.server.rollout;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.server.access.AuditLog;
import dev.klpfleet.server.access.TokenHash;
import dev.klpfleet.server.access.Principal;
import dev.klpfleet.server.access.Role;
import dev.klpfleet.server.host.Checkins;
import dev.klpfleet.server.host.EventStore;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.host.HostStore;
import dev.klpfleet.server.host.LastSeenWriter;
import dev.klpfleet.server.patch.PatchStore;
import dev.klpfleet.server.patch.TrustedKeys;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.Wave;
import dev.klpfleet.server.storage.Database;
import dev.klpfleet.server.storage.TestDatabases;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;

/**
 * One server process's rollout services over a fresh SQLite database, driven directly (no HTTP,
 * no background poller), so a test decides exactly when the desired-set cache rebuilds.
 */
final class DesiredFleet implements AutoCloseable {
    static final Principal.Operator OPERATOR = new Principal.Operator("tok_test", "test-operator", Role.OPERATOR, "127.0.0.1");
    /** Every host in one wave with no soak, so one engine step dispatches everyone and the next completes. */
    static final Plan ONE_WAVE = new Plan(List.of(Wave.percent("all", 100)), Duration.ZERO, 1000, Gates.defaults());

    final Database db = TestDatabases.freshSqlite();
    final InstantSource clock = InstantSource.system();
    final AuditLog audit = new AuditLog(db, clock);
    final HostStore hosts = new HostStore(db, clock, new TokenHash(new byte[32]), audit);
    final PatchStore patches = new PatchStore(db, clock, new TrustedKeys(List.of()), audit);
    final Rollouts rollouts = new Rollouts(db, clock, hosts, patches, audit);
    final EventStore events = new EventStore(db, clock);
    final LastSeenWriter lastSeen = new LastSeenWriter(db);
    private RolloutDesiredSets desired;
    private Checkins checkins;

    /** The cache, built on first use from what is stored by then (as a starting server builds it). */
    RolloutDesiredSets desired() {
        if (desired == null) {
            desired = new RolloutDesiredSets(rollouts);
            checkins = new Checkins(hosts, desired, lastSeen, events, clock);
        }
        return desired;
    }

    /** Enrolls a host on {@code kernel} with the label fleet={@code fleet}; returns its id. */
    String host(String name, String kernel, String fleet) {
        return hosts.enroll(new EnrollRequest(name, kernel, "debian 12", Map.of(), List.of("livepatch")), Map.of("fleet", fleet),
                new AuditLog.Actor("enr_test", "test-enroller", "127.0.0.1")).hostId();
    }

    /** Stores a catalog entry and an artifact of {@code patch} {@code version} for {@code kernel}; returns its sha256 (made up, unique). */
    String build(String patch, String version, String kernel) {
        String sha = String.format("%064x", (patch + "/" + version + "/" + kernel).hashCode() & 0xffffffffL);
        db.inTransaction(h -> {
            h.createUpdate("INSERT INTO patches (name, description, cves_json, created_at) VALUES (:n, '', '[]', 0) ON CONFLICT (name) DO NOTHING")
                    .bind("n", patch).execute();
            h.createUpdate("INSERT INTO patch_versions (patch_name, version, created_at) VALUES (:n, :v, 0) ON CONFLICT (patch_name, version) DO NOTHING")
                    .bind("n", patch).bind("v", version).execute();
            h.createUpdate("INSERT INTO artifacts (sha256, patch_name, patch_version, kernel_release, module_name, size_bytes, manifest_json, "
                            + "signature, key_id, content_base64, uploaded_at) VALUES (:s, :p, :v, :k, :m, 1, '{}', '', 'k', '', 0)")
                    .bind("s", sha).bind("p", patch).bind("v", version).bind("k", kernel).bind("m", patch + ".ko").execute();
            Database.bumpGeneration(h);
            return null;
        });
        return sha;
    }

    /** Creates a one-wave rollout of {@code patch} {@code version} to the hosts labelled fleet={@code fleet} and dispatches it. */
    String rollout(String patch, String version, String fleet) {
        Rollouts.Outcome o = rollouts.create(new RolloutRequest(patch, version,
                new RolloutRequest.Selector(Map.of("fleet", fleet), Map.of(), List.of()), ONE_WAVE), OPERATOR);
        if (!(o instanceof Rollouts.Outcome.Done d)) {
            throw new AssertionError("rollout not created: " + o);
        }
        settle();
        return d.view().id();
    }

    /** {@code hostId} reports {@code patch} {@code version} applied; the engine steps on it. */
    void applied(String hostId, String patch, String version) {
        events.record(hostId, new HostEvent("apply-" + patch + "-" + version, EventKind.APPLY, patch, version, ApplyResult.APPLIED,
                Instant.now(), JsonNodeFactory.instance.objectNode()));
        settle();
    }

    void command(String rolloutId, Command c) {
        Rollouts.Outcome o = rollouts.command(rolloutId, c, OPERATOR);
        if (!(o instanceof Rollouts.Outcome.Done)) {
            throw new AssertionError(c + " refused: " + o);
        }
    }

    /** Steps the engine until it decides nothing more. */
    void settle() {
        for (int i = 0; i < 10 && rollouts.stepAll() > 0; i++) {
            // each step may enable the next
        }
    }

    /** A check-in of {@code hostId} reporting {@code kernel}, as the agent sends it; returns the answer's desired set. */
    List<DesiredPatch> checkin(String hostId, String kernel) {
        desired();
        CheckinRequest req = FleetJson.read("{\"kernelRelease\":\"" + kernel + "\",\"loaded\":[],\"taint\":0}", CheckinRequest.class);
        return checkins.checkin(hostId, req).patches();
    }

    /** The sha256 of every patch in {@code hostId}'s current answer. */
    List<String> shas(String hostId) {
        return desired().forHost(hostId).patches().stream().map(DesiredPatch::sha256).toList();
    }

    /** A desired-state change made by another server process: this one sees it only through the generation. */
    void bumpElsewhere() {
        db.inTransaction(Database::bumpGeneration);
    }

    @Override
    public void close() {
        db.close();
    }
}
