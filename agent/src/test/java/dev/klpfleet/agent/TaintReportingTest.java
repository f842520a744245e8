package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.nio.file.Path;
import java.time.InstantSource;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the agent tells the server about taint, against a real HTTP server on loopback. */
class TaintReportingTest {
    static final long WARN = 1L << 9;
    @TempDir
    Path data;
    @TempDir
    Path kernelDir;
    StubFleet fleet;
    TempKernel kernel;
    Agent agent;

    @BeforeEach
    void start() throws Exception {
        fleet = new StubFleet();
        kernel = new TempKernel(kernelDir);
        new StateFile(data).save(AgentState.empty().enrolled("h_1", "klph_test"));
        ControlPlane plane = new ControlPlane(fleet.uri());
        agent = new Agent(LiveKernel.at(new KernelRoot(kernel.root), InstantSource.system(), LoadOptions.defaults()), plane,
                new StateFile(data), new ArtifactCache(data, plane, SigningKeys.generate().publicKey()), InstantSource.system(),
                d -> { }, new Random(7));
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    JsonNode lastCheckin() throws Exception {
        return WireJson.mapper().readTree(fleet.checkinBodies.get(fleet.checkinBodies.size() - 1));
    }

    @Test
    void aTaintThatCannotBeReadIsSentAsUnknownNotAsAClean0() throws Exception {
        kernel.taint(WARN);
        assertThat(agent.pass().outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(lastCheckin().path("taint").asLong()).isEqualTo(WARN);

        kernel.taintUnreadable();
        assertThat(agent.pass().outcome()).isEqualTo(Requeue.Outcome.IDLE);

        assertThat(lastCheckin().has("taint")).isTrue();
        assertThat(lastCheckin().path("taint").isNull()).as("unknown is null on the wire, never 0").isTrue();
        assertThat(agent.state().lastTaint()).as("the last reading stays the baseline").isEqualTo(WARN);
    }

    @Test
    void theSameTaintOnALaterBootIsANewHealthEventNotADuplicate() throws Exception {
        agent.pass(); // the baseline: clean
        kernel.taint(WARN);
        Pass firstBoot = agent.pass();
        assertThat(firstBoot.actions()).singleElement().satisfies(a -> assertThat(a.result()).isEqualTo("taint"));

        kernel.reboot("22222222-2222-4222-8222-222222222222", 0);
        assertThat(agent.pass().actions()).as("a mask that lost bits is a new baseline").isEmpty();
        kernel.taint(WARN);
        Pass secondBoot = agent.pass();

        assertThat(secondBoot.actions()).singleElement().satisfies(a -> assertThat(a.result()).isEqualTo("taint"));
        String first = firstBoot.actions().get(0).eventId();
        String second = secondBoot.actions().get(0).eventId();
        assertThat(first).contains("11111111-1111-4111-8111-111111111111").endsWith("-" + WARN);
        assertThat(second).contains("22222222-2222-4222-8222-222222222222").endsWith("-" + WARN);
        assertThat(fleet.recorded()).as("both recorded (201), neither taken for a re-send (409)").containsExactlyInAnyOrder(first, second);
        assertThat(agent.state().outbox()).isEmpty();
    }
}
