package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code klpfleet agent --interval}: an idle host checks in at its own interval rather than the server's 60 s, with the usual jitter. */
class CheckinIntervalTest {
    @TempDir
    Path data;
    @TempDir
    Path kernelDir;
    StubFleet fleet;

    @BeforeEach
    void start() throws Exception {
        fleet = new StubFleet();
        new StateFile(data).save(AgentState.empty().enrolled("h_1", "klph_test"));
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    Agent agent() throws Exception {
        ControlPlane plane = new ControlPlane(fleet.uri());
        return new Agent(LiveKernel.at(new KernelRoot(new TempKernel(kernelDir).root), InstantSource.system(), LoadOptions.defaults()), plane,
                new StateFile(data), new ArtifactCache(data, plane, SigningKeys.generate().publicKey()), InstantSource.system(),
                d -> { }, new Random(7));
    }

    @Test
    void withoutAnIntervalTheIdleHostFollowsTheServersSixtySeconds() throws Exception {
        Pass p = agent().pass();
        assertThat(p.outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(p.next()).isBetween(Duration.ofSeconds(54), Duration.ofSeconds(66));
    }

    @Test
    void withAFiveSecondIntervalTheIdleHostComesBackWithinItsJitter() throws Exception {
        Agent agent = agent().checkinInterval(Duration.ofSeconds(5));
        for (int i = 0; i < 5; i++) {
            Pass p = agent.pass();
            assertThat(p.outcome()).isEqualTo(Requeue.Outcome.IDLE);
            // 5 s +-10 %, never below the floor of 5 s that also bounds a server's answer.
            assertThat(p.next()).isBetween(Requeue.MIN_INTERVAL, Duration.ofMillis(5500));
        }
        assertThat(fleet.checkinBodies).hasSize(5);
    }
}
