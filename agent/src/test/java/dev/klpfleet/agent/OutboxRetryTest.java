package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.controlplane.RetryAfter;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the agent does with an event the server did not take, against a real HTTP server on
 * loopback: every answer that may change later keeps the event for the next pass; only a
 * terminal rejection drops it, counted.
 */
class OutboxRetryTest {
    @TempDir
    Path data;
    @TempDir
    Path kernelDir;
    StubFleet fleet;
    TempKernel kernel;

    @BeforeEach
    void start() throws Exception {
        fleet = new StubFleet();
        kernel = new TempKernel(kernelDir);
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    Agent agent(URI server) throws Exception {
        ControlPlane plane = new ControlPlane(server);
        return new Agent(LiveKernel.at(new KernelRoot(kernel.root), InstantSource.system(), LoadOptions.defaults()), plane,
                new StateFile(data), new ArtifactCache(data, plane, SigningKeys.generate().publicKey()), InstantSource.system(),
                d -> { }, new Random(7));
    }

    static HostEvent event(String id) {
        return new HostEvent(id, EventKind.HEALTH, null, null, HealthKind.TAINT, Instant.parse("2030-01-01T00:00:00Z"),
                WireJson.mapper().createObjectNode().put("taint", 512));
    }

    /** An enrolled host whose outbox holds these events, as a previous pass left them. */
    void queued(HostEvent... events) throws Exception {
        AgentState s = AgentState.empty().enrolled("h_1", "klph_test");
        for (HostEvent e : events) {
            s = s.enqueue(e);
        }
        new StateFile(data).save(s);
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {408, 429, 500, 502, 503, 504, 404})
    void anEventTheServerCouldNotTakeNowStaysQueuedAndIsSentAgainOnTheNextPass(int status) throws Exception {
        queued(event("health-taint-a"));
        fleet.eventAnswers.add(StubFleet.Answer.of(status));
        Agent agent = agent(fleet.uri());

        Pass first = agent.pass();

        assertThat(first.outcome()).isEqualTo(Requeue.Outcome.FAILED);
        assertThat(first.detail()).contains("HTTP " + status);
        assertThat(new StateFile(data).load().outbox()).as("still queued on disk").extracting(HostEvent::eventId)
                .containsExactly("health-taint-a");
        assertThat(first.droppedEvents()).isZero();

        Pass second = agent.pass();

        assertThat(second.outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(fleet.recorded()).containsExactly("health-taint-a");
        assertThat(agent.state().outbox()).isEmpty();
        assertThat(agent.state().droppedEvents()).isZero();
    }

    @Test
    void aRetryAfterIsWaitedOutButNoLongerThanItsBound() throws Exception {
        queued(event("health-taint-b"));
        fleet.eventAnswers.add(new StubFleet.Answer(429, Map.of("Retry-After", "120"), "{\"error\":\"slow down\"}"));
        fleet.eventAnswers.add(new StubFleet.Answer(503, Map.of("Retry-After", "86400"), "{\"error\":\"maintenance\"}"));
        Agent agent = agent(fleet.uri());

        Pass throttled = agent.pass();
        assertThat(throttled.error()).isEqualTo("throttled");
        assertThat(throttled.next()).as("our own first backoff is 1-2 s; the server asked for 120").isEqualTo(Duration.ofSeconds(120));

        Pass maintenance = agent.pass();
        assertThat(maintenance.error()).isEqualTo("server");
        assertThat(maintenance.next()).as("a day is cut to the bound").isEqualTo(RetryAfter.MAX);

        assertThat(agent.pass().outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(fleet.recorded()).containsExactly("health-taint-b");
    }

    @Test
    void aServerThatDoesNotAnswerLeavesTheEventQueued() throws Exception {
        queued(event("health-taint-c"));
        URI closed;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + s.getLocalPort() + "/");
        }

        Pass p = agent(closed).pass();

        assertThat(p.error()).isEqualTo("unreachable");
        assertThat(new StateFile(data).load().outbox()).extracting(HostEvent::eventId).containsExactly("health-taint-c");
    }

    @ParameterizedTest(name = "HTTP {0}")
    @ValueSource(ints = {400, 413, 422})
    void anEventRefusedForGoodIsDroppedShownAndCountedAndTheNextOneStillGoes(int status) throws Exception {
        queued(event("health-taint-bad"), event("health-taint-good"));
        fleet.eventAnswers.add(StubFleet.Answer.of(status));
        Agent agent = agent(fleet.uri());

        Pass p = agent.pass();

        assertThat(p.outcome()).isEqualTo(Requeue.Outcome.IDLE);
        assertThat(p.actions()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo("report");
            assertThat(a.result()).isEqualTo("rejected");
            assertThat(a.eventId()).isEqualTo("health-taint-bad");
            assertThat(a.message()).contains("HTTP " + status);
        });
        assertThat(p.droppedEvents()).isEqualTo(1);
        assertThat(new StateFile(data).load().droppedEvents()).as("the count survives a restart").isEqualTo(1);
        assertThat(fleet.recorded()).containsExactly("health-taint-good");
        assertThat(agent.state().outbox()).isEmpty();
    }
}
