package dev.klpfleet.cli.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.Agent;
import dev.klpfleet.agent.Identity;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The agent in its forever mode ({@link Agent#runForever}) while its real server, on loopback, goes
 * away and comes back on the same address and data: each failed pass waits longer (doubling from
 * {@link Requeue#FIRST_BACKOFF}, jittered, never above {@link Requeue#MAX_BACKOFF}), the patch it
 * manages stays applied and managed (no server is no reason to unload), and the first pass after the
 * server returns checks in and is idle again.
 */
class ServerAwayTest {
    static final Path MODULE = AgentAgainstFleetServerTest.MODULE;
    static final String RELEASE = AgentAgainstFleetServerTest.RELEASE;
    /** Failed passes while the server is away: enough doublings to reach the cap (2 s * 2^8 > 5 min). */
    static final int AWAY_PASSES = 10;

    @Test
    void while_the_server_is_away_the_agent_backs_off_bounded_and_jittered_keeps_its_patch_and_resumes_when_it_returns() throws Exception {
        FleetOnLoopback fleet = new FleetOnLoopback();
        FleetServer[] back = new FleetServer[1];
        try {
            FixtureKernel kernel = new FixtureKernel(RELEASE).applied("klp_multi",
                    "vmlinux/cmdline_proc_show,2", "vmlinux/meminfo_proc_show,1", "ext4/ext4_statfs,1", "ext4/ext4_sync_fs,1");
            fleet.upload(Files.readAllBytes(MODULE), "klp_multi", "1", RELEASE);
            Path data = Files.createTempDirectory("klpfleet-agent-away");
            int port = fleet.server.uri().getPort();
            List<Duration> waits = new ArrayList<>();
            List<Pass> passes = new ArrayList<>();
            ControlPlane plane = fleet.controlPlane();
            Agent agent = new Agent(LiveKernel.at(new KernelRoot(kernel.root), InstantSource.system(), LoadOptions.defaults()), plane,
                    new StateFile(data), new ArtifactCache(data, plane, fleet.key.publicKey()), InstantSource.system(), d -> {
                        waits.add(d);
                        int n = passes.size();
                        if (n == 2) {
                            fleet.server.close(); // the server goes away after the patch is applied and an idle pass
                        } else if (n == 2 + AWAY_PASSES) {
                            try {
                                back[0] = FleetServer.start(ServerConfig.of(fleet.dir, "127.0.0.1", port)
                                        .withAdminToken(FleetOnLoopback.ADMIN).withEngineTick(Duration.ofMillis(100))
                                        // The same data directory: the same certificate, which the agent pinned.
                                        .withTls(new dev.klpfleet.server.tls.Tls.SelfSigned()));
                            } catch (Exception e) {
                                throw new IllegalStateException("the server did not come back on port " + port, e);
                            }
                        } else if (n == 2 + AWAY_PASSES + 1) {
                            throw new InterruptedException("test over");
                        }
                    }, new Random(11));
            agent.enrollIfNeeded(fleet.enrollmentToken("away"), new Identity("away", "debian 12", Map.of()));
            String rollout = fleet.rollout("klp_multi", "1", "away");
            fleet.rolloutWhen(rollout, v -> v.path("waves").get(0).path("applying").asInt() == 1);

            try {
                agent.runForever(passes::add);
            } catch (InterruptedException expected) {
                // the pause ended the run
            }

            assertThat(passes.get(0).actions()).first().satisfies(a -> assertThat(a.result()).isEqualTo("applied"));
            assertThat(passes.get(1).outcome()).isEqualTo(Requeue.Outcome.IDLE);
            List<Pass> away = passes.subList(2, 2 + AWAY_PASSES);
            assertThat(away).allSatisfy(p -> {
                assertThat(p.outcome()).isEqualTo(Requeue.Outcome.FAILED);
                assertThat(p.error()).isEqualTo("unreachable");
                assertThat(p.actions()).as("nothing unloaded while the server is away").isEmpty();
            });
            // The step's pass is followed at once (no wait); the idle pass's wait is waits[0].
            List<Duration> backoff = waits.subList(1, 1 + AWAY_PASSES);
            for (int i = 0; i < backoff.size(); i++) {
                Duration cap = Requeue.FIRST_BACKOFF.multipliedBy(1L << i);
                cap = cap.compareTo(Requeue.MAX_BACKOFF) > 0 ? Requeue.MAX_BACKOFF : cap;
                assertThat(backoff.get(i)).as("failed pass " + (i + 1)).isBetween(cap.dividedBy(2), cap);
            }
            assertThat(backoff.get(backoff.size() - 1)).isLessThanOrEqualTo(Requeue.MAX_BACKOFF);
            assertThat(backoff.subList(AWAY_PASSES - 2, AWAY_PASSES)).as("jitter: two waits at the cap differ").doesNotHaveDuplicates();
            assertThat(kernel.read("/sys/kernel/livepatch/klp_multi/enabled")).as("the patch stayed applied").isEqualTo("1");
            assertThat(new StateFile(data).load().managed().get("klp_multi").phase()).isEqualTo(ManagedPatch.Phase.LOADED);

            Pass resumed = passes.get(2 + AWAY_PASSES);
            assertThat(resumed.outcome()).as(resumed.detail()).isEqualTo(Requeue.Outcome.IDLE);
            assertThat(waits.get(1 + AWAY_PASSES)).as("back to the check-in interval, not the backoff")
                    .isBetween(Requeue.DEFAULT_INTERVAL.multipliedBy(9).dividedBy(10), Requeue.DEFAULT_INTERVAL.multipliedBy(11).dividedBy(10));
        } finally {
            if (back[0] != null) {
                back[0].close();
            } else {
                fleet.close();
            }
        }
    }
}
