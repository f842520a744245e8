package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Wave;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retries as the server stores and serves them: a host's attempt and its notBefore live in its
 * rollout_hosts row, a RETRYING host keeps its slot under the cap in the engine's window, and its
 * desired set names the attempt, whether updated in place or rebuilt from storage. The stall is the
 * document a real 6.1 kernel produced, stamped with its attempt as the agent stamps it.
 */
class RolloutRetryStorageTest {
    static final String K = "6.1.0-56-amd64";
    /** One at a time, three attempts ten minutes apart, and a stall gate at 0. */
    static final Plan RETRY = new Plan(List.of(Wave.percent("all", 100)), Duration.ZERO, 1,
            new Gates(0.0, 0.0, Duration.ofHours(2), Map.of(), Gates.Action.PAUSE), 3, Duration.ofMinutes(10));
    final DesiredFleet fleet = new DesiredFleet();

    @AfterEach
    void close() {
        fleet.close();
    }

    private String rollout() {
        fleet.host("retry-a", K, "retry");
        fleet.host("retry-b", K, "retry");
        fleet.build("retry_fix", "1", K);
        fleet.desired();
        Rollouts.Outcome o = fleet.rollouts.create(new RolloutRequest("retry_fix", "1",
                new RolloutRequest.Selector(Map.of("fleet", "retry"), Map.of(), List.of()), RETRY), DesiredFleet.OPERATOR);
        fleet.settle();
        return ((Rollouts.Outcome.Done) o).view().id();
    }

    private void report(String hostId, String eventId, ApplyResult result, String recording, int attempt) {
        JsonNode evidence = Evidence.attempt(Evidence.recorded("6.1", recording), attempt);
        fleet.events.record(hostId, new HostEvent(eventId, EventKind.APPLY, "retry_fix", "1", result, Instant.now(), evidence));
        fleet.settle();
    }

    private RolloutView.HostLine line(String id, String hostId) {
        return fleet.rollouts.hosts(id, null, 10).orElseThrow().stream().filter(l -> l.hostId().equals(hostId)).findFirst().orElseThrow();
    }

    /** A host's rollout_hosts row as stored; {@code notBefore} in epoch ms, null when the column is. */
    record Row(String phase, long attempt, Long notBefore) {}

    private Row row(String id, String hostId) {
        return fleet.db.withHandle(h -> h.createQuery("SELECT phase, attempt, not_before FROM rollout_hosts WHERE rollout_id = :r AND host_id = :h")
                .bind("r", id).bind("h", hostId).map((rs, ctx) -> {
                    String phase = rs.getString(1);
                    long attempt = rs.getLong(2);
                    long nb = rs.getLong(3);
                    return new Row(phase, attempt, rs.wasNull() ? null : nb);
                }).one());
    }

    @Test
    void a_stalled_host_retries_from_its_row_holds_the_only_slot_and_its_desired_set_names_the_attempt() {
        String id = rollout();
        List<String> first = fleet.db.withHandle(h -> RolloutHosts.inPhase(h, id, java.util.Set.of(Phase.DISPATCHED)));
        assertThat(first).hasSize(1);
        String host = first.get(0);
        String other = fleet.rollouts.hosts(id, null, 10).orElseThrow().stream().map(RolloutView.HostLine::hostId)
                .filter(h -> !h.equals(host)).findFirst().orElseThrow();
        assertThat(fleet.shas(host)).hasSize(1);
        assertThat(fleet.desired().forHost(host).patches().get(0).attempt()).isEqualTo(1);
        assertThat(row(id, host)).isEqualTo(new Row("DISPATCHED", 1, null));

        report(host, "retry-a1", ApplyResult.STALLED_REVERTED, "stalled-reverted", 1);

        RolloutView.HostLine retrying = line(id, host);
        assertThat(retrying.phase()).isEqualTo(Phase.RETRYING);
        assertThat(retrying.attempt()).isEqualTo(2);
        assertThat(retrying.notBefore()).isAfter(retrying.since().plus(Duration.ofMinutes(10)).minusMillis(1))
                .isBefore(retrying.since().plus(Duration.ofMinutes(15)).plusMillis(1));
        assertThat(row(id, host)).isEqualTo(new Row("RETRYING", 2, retrying.notBefore().toEpochMilli()));
        RolloutView v = fleet.rollouts.view(id).orElseThrow();
        assertThat(v.status()).as("a stall that will retry is not held against the stall gate at 0").isEqualTo(Status.RUNNING);
        assertThat(v.waves().get(0).retrying()).isEqualTo(1);
        assertThat(v.waves().get(0).stalled()).isZero();
        assertThat(line(id, other).phase()).as("the retrying host holds the plan's only slot").isEqualTo(Phase.PENDING);

        DesiredPatch inPlace = fleet.desired().forHost(host).patches().get(0);
        assertThat(inPlace.attempt()).isEqualTo(2);
        assertThat(inPlace.notBefore()).isEqualTo(retrying.notBefore());
        fleet.desired().rebuild();
        DesiredPatch rebuilt = fleet.desired().forHost(host).patches().get(0);
        assertThat(rebuilt).as("the cache rebuilt from storage says the same").isEqualTo(inPlace);

        // The stall is read again within the events' margin; it is attempt 1's and moves nothing.
        fleet.settle();
        assertThat(line(id, host)).isEqualTo(retrying);

        report(host, "retry-a2", ApplyResult.APPLIED, "applied", 2);

        assertThat(line(id, host).phase()).isEqualTo(Phase.APPLIED);
        assertThat(line(id, host).attempt()).as("the host keeps the attempt that applied").isEqualTo(2);
        assertThat(row(id, host)).isEqualTo(new Row("APPLIED", 2, null));
        DesiredPatch after = fleet.desired().forHost(host).patches().get(0);
        assertThat(after.attempt()).isEqualTo(2);
        assertThat(after.notBefore()).isNull();
        assertThat(line(id, other).phase()).as("the freed slot goes to the next host").isEqualTo(Phase.DISPATCHED);
        assertThat(fleet.desired().forHost(other).patches().get(0).attempt()).isEqualTo(1);
    }

    @Test
    void a_rollback_takes_a_retrying_host_out_of_storage_without_its_wait() {
        String id = rollout();
        String host = fleet.db.withHandle(h -> RolloutHosts.inPhase(h, id, java.util.Set.of(Phase.DISPATCHED))).get(0);
        report(host, "retry-b1", ApplyResult.STALLED_REVERTED, "stalled-reverted", 1);
        assertThat(row(id, host).phase()).isEqualTo("RETRYING");

        fleet.command(id, new Command.Rollback("test-operator", "retry test"));

        assertThat(row(id, host)).isEqualTo(new Row("ROLLING_BACK", 2, null));
        assertThat(fleet.shas(host)).as("its desired set drops the patch").isEmpty();
    }
}
