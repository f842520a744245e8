package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.kernel.HostKernel;
import dev.klpfleet.agent.reconcile.Observation;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.load.Timings;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.task.PatchState;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.kernel.transition.BlockerRecheck;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.SignedManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A retry the desired set grants after a reversed stall: the agent waits for its notBefore while the
 * task that blocked the last attempt still sleeps in the patched function, starts at once when it
 * left, and stamps each attempt's event. The kernel is scripted (its load results are the shape of
 * the real stalled-reverted document); the server is a real HTTP stub on loopback; the module is the
 * kernel room's real test build.
 */
class StallRetryAgentTest {
    static final String RELEASE = "6.12.117+deb12-amd64";
    static final Blocker SLEEPER = new Blocker(57, 57, "klpf_sleeper", true, PatchState.UNPATCHED,
            List.of("[<0>] klpf_target_wait+0x5d/0xa0 [klpf_target]"), List.of("klpf_target_wait [klpf_target]"), "I");
    final SigningKey key = SigningKeys.generate();
    @TempDir
    Path data;
    StubFleet fleet;
    String sha;
    Instant now = Instant.parse("2030-01-01T12:00:00Z");
    final List<List<BlockerRecheck.Seen>> rechecks = new ArrayList<>();
    BlockerRecheck.Where where = BlockerRecheck.Where.STILL_IN;
    int loads;

    /** Loads stall (and are reversed) until the sleeper has left, then apply. */
    final HostKernel kernel = new HostKernel() {
        @Override
        public Observation observe(Set<String> modules) {
            return new Observation(RELEASE, List.of(), Set.of(), Optional.of(0L), Optional.of("boot-1"));
        }

        @Override
        public boolean livepatchSupported() {
            return true;
        }

        @Override
        public LoadResult load(Path ko, ModuleInspection module) {
            loads++;
            boolean stalls = where == BlockerRecheck.Where.STILL_IN;
            return new LoadResult(stalls ? Result.STALLED_REVERTED : Result.APPLIED, "klp_single", ko.toString(), sha, RELEASE,
                    stalls ? "transition of klp_single stalled" : "applied klp_single", List.of(),
                    new Timings(1L, 1L, 1L, 1L, null, 2L), stalls ? List.of(SLEEPER) : List.of(), List.of(), List.of(), null);
        }

        @Override
        public LoadResult unload(String patch) {
            throw new AssertionError("nothing is unloaded here");
        }

        @Override
        public List<BlockerRecheck.Seen> recheck(List<Blocker> last) {
            List<BlockerRecheck.Seen> seen = last.stream().map(b -> new BlockerRecheck.Seen(b.pid(), b.tid(), b.comm(), where,
                    where == BlockerRecheck.Where.STILL_IN ? b.functions() : List.of())).toList();
            rechecks.add(seen);
            return seen;
        }
    };

    @BeforeEach
    void serve() throws Exception {
        fleet = new StubFleet();
        byte[] module = Files.readAllBytes(Path.of("../kernel/src/test/resources/modules/" + RELEASE + "/klp_single.ko"));
        sha = Sha256.hex(module);
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, "klp_single", "1", RELEASE, RELEASE + " SMP preempt mod_unload modversions",
                "klp_single.ko", sha, module.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 1)))),
                true, 0, 4, List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"));
        byte[] manifest = ManifestJson.toBytes(m);
        fleet.manifestJson = WireJson.mapper().writeValueAsString(new SignedManifest(Base64.getEncoder().encodeToString(manifest),
                Base64.getEncoder().encodeToString(ArtifactSigner.sign(key, manifest, sha).toBytes())));
        fleet.artifacts.put(sha, module);
        new StateFile(data).save(AgentState.empty().enrolled("h_1", "klph_test"));
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    void desire(int attempt, Instant notBefore) throws Exception {
        fleet.desiredJson = WireJson.mapper().writeValueAsString(List.of(
                new DesiredPatch("klp_single", "1", sha, "klp_single.ko", "r_1", attempt, notBefore)));
    }

    JsonNode lastEvent() throws Exception {
        return WireJson.mapper().readTree(fleet.eventBodies.get(fleet.eventBodies.size() - 1));
    }

    @Test
    void theRetryWaitsWhileTheSleeperStaysAndStartsEarlyOnceItLeft() throws Exception {
        ControlPlane plane = new ControlPlane(fleet.uri());
        Agent agent = new Agent(kernel, plane, new StateFile(data), new ArtifactCache(data, plane, key.publicKey()), () -> now,
                d -> { }, new Random(7));

        desire(1, null);
        Pass first = agent.pass();
        assertThat(first.outcome()).as(first.detail()).isEqualTo(Requeue.Outcome.STEPPED);
        JsonNode stall = lastEvent();
        assertThat(stall.path("result").asText()).isEqualTo("stalled-reverted");
        assertThat(stall.path("evidence").path("attempt").path("number").asInt()).isEqualTo(1);
        assertThat(agent.pass().outcome()).as("attempt 1 is not tried again").isEqualTo(Requeue.Outcome.IDLE);

        // The server grants attempt 2 in an hour; the sleeper is still in the function.
        Instant due = now.plus(Duration.ofHours(1));
        desire(2, due);
        Pass waiting = agent.pass();
        assertThat(waiting.outcome()).isEqualTo(Requeue.Outcome.WAITING);
        assertThat(waiting.next()).isEqualTo(Requeue.TRANSITION_RECHECK);
        assertThat(waiting.detail()).contains("attempt 2 is due at " + due, "klpf_sleeper pid 57 still in klpf_target_wait [klpf_target]");
        assertThat(loads).isEqualTo(1);

        // It left; within the recheck bound the agent does not look again, after it it does and loads at once.
        where = BlockerRecheck.Where.LEFT;
        now = now.plusSeconds(1);
        assertThat(agent.pass().outcome()).as("stacks are read at most every " + Agent.RECHECK_EVERY).isEqualTo(Requeue.Outcome.WAITING);
        assertThat(rechecks).hasSize(1);
        now = now.plus(Agent.RECHECK_EVERY);
        Pass early = agent.pass();
        assertThat(early.outcome()).as(early.detail()).isEqualTo(Requeue.Outcome.STEPPED);
        assertThat(early.detail()).contains("attempt 2, early: the last blockers left");
        JsonNode applied = lastEvent();
        assertThat(applied.path("result").asText()).isEqualTo("applied");
        assertThat(applied.path("eventId").asText()).isNotEqualTo(stall.path("eventId").asText());
        JsonNode attempt = applied.path("evidence").path("attempt");
        assertThat(attempt.path("number").asInt()).isEqualTo(2);
        assertThat(attempt.path("startedEarly").asBoolean()).isTrue();
        assertThat(attempt.path("lastBlockers").get(0).path("where").asText()).as("as docs/CLI.md names it").isEqualTo("LEFT");
        assertThat(loads).isEqualTo(2);
    }
}
