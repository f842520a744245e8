package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.server.rollout.core.Gates;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Wave;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Each host's progress lives in rollout_hosts: a step reads the hosts that can move, not the rollout's every host. */
class RolloutHostsTest {
    static final String K = "6.1.0-56-amd64";
    static final Plan FIVE_AT_ONCE = new Plan(List.of(Wave.percent("all", 100)), Duration.ZERO, 5, Gates.defaults());
    final DesiredFleet fleet = new DesiredFleet();

    @AfterEach
    void close() {
        fleet.close();
    }

    private String rollout(int hosts) {
        for (int i = 0; i < hosts; i++) {
            fleet.host(String.format("big-%03d", i), K, "big");
        }
        fleet.build("big_fix", "1", K);
        fleet.desired();
        Rollouts.Outcome o = fleet.rollouts.create(new RolloutRequest("big_fix", "1",
                new RolloutRequest.Selector(Map.of("fleet", "big"), Map.of(), List.of()), FIVE_AT_ONCE), DesiredFleet.OPERATOR);
        fleet.settle();
        return ((Rollouts.Outcome.Done) o).view().id();
    }

    private List<String> inPhase(String id, Phase p) {
        return fleet.db.withHandle(h -> RolloutHosts.inPhase(h, id, java.util.Set.of(p)));
    }

    @Test
    void a_step_after_one_result_reads_that_host_and_the_one_taking_its_slot_not_all_200() {
        String id = rollout(200);
        List<String> dispatched = inPhase(id, Phase.DISPATCHED);
        assertThat(dispatched).hasSize(5);
        fleet.applied(dispatched.get(0), "big_fix", "1");

        assertThat(fleet.rollouts.lastWindow()).as("hosts read by the last step").isLessThanOrEqualTo(2);
        assertThat(inPhase(id, Phase.APPLIED)).containsExactly(dispatched.get(0));
        List<String> now = inPhase(id, Phase.DISPATCHED);
        assertThat(now).hasSize(5).doesNotContain(dispatched.get(0));
        String next = now.stream().filter(h -> !dispatched.contains(h)).findFirst().orElseThrow();
        assertThat(fleet.shas(next)).as("the newly dispatched host's desired set, updated in place").hasSize(1);
        RolloutView v = fleet.rollouts.view(id).orElseThrow();
        assertThat(v.waves().get(0).applied()).isEqualTo(1);
        assertThat(v.waves().get(0).applying()).isEqualTo(5);
        assertThat(v.waves().get(0).pending()).isEqualTo(194);
        String stored = fleet.db.withHandle(h -> h.createQuery("SELECT state_json FROM rollouts WHERE id = :id").bind("id", id).mapTo(String.class).one());
        assertThat(StateJson.read(stored, RolloutState.class).hosts()).as("the row holds counts, not hosts").isEmpty();
    }

    @Test
    void hosts_page_in_host_id_order_without_gaps_or_repeats() {
        String id = rollout(120);
        List<String> seen = new ArrayList<>();
        String after = null;
        while (true) {
            List<RolloutView.HostLine> page = fleet.rollouts.hosts(id, after, 50).orElseThrow();
            if (page.isEmpty()) {
                break;
            }
            page.forEach(l -> seen.add(l.hostId()));
            after = page.get(page.size() - 1).hostId();
        }
        assertThat(seen).hasSize(120).doesNotHaveDuplicates().isSorted();
        assertThat(fleet.rollouts.decisions(id, 0, 1)).hasSize(1);
        assertThat(fleet.rollouts.hosts("r_none", null, 10)).isEmpty();
    }

    @Test
    void a_rollout_stored_whole_before_rollout_hosts_existed_moves_its_hosts_there_on_its_next_step() {
        String id = rollout(20);
        TreeMap<String, HostProgress> all = new TreeMap<>();
        fleet.rollouts.hosts(id, null, 100).orElseThrow()
                .forEach(l -> all.put(l.hostId(), new HostProgress(l.hostId(), l.wave(), l.phase(), l.since(), l.result())));
        fleet.db.inTransaction(h -> {
            String head = h.createQuery("SELECT state_json FROM rollouts WHERE id = :id").bind("id", id).mapTo(String.class).one();
            RolloutState s = StateJson.read(head, RolloutState.class);
            // As the row was stored before V15: every host in state_json, none in rollout_hosts.
            RolloutState whole = new RolloutState(s.plan(), s.status(), s.wave(), s.soakStartedAt(), s.gatesSince(), s.haltReason(), all);
            h.createUpdate("UPDATE rollouts SET state_json = :s, revision = revision + 1 WHERE id = :id").bind("s", StateJson.write(whole)).bind("id", id).execute();
            h.createUpdate("DELETE FROM rollout_hosts WHERE rollout_id = :id").bind("id", id).execute();
            return null;
        });
        assertThat(fleet.rollouts.view(id).orElseThrow().waves().get(0).applying()).isEqualTo(5);
        String first = all.values().stream().filter(p -> p.phase() == Phase.DISPATCHED).findFirst().orElseThrow().hostId();

        fleet.applied(first, "big_fix", "1");

        long rows = fleet.db.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM rollout_hosts WHERE rollout_id = :id").bind("id", id)
                .mapTo(Long.class).one());
        assertThat(rows).isEqualTo(20);
        assertThat(inPhase(id, Phase.APPLIED)).containsExactly(first);
        assertThat(inPhase(id, Phase.DISPATCHED)).hasSize(5);
        String stored = fleet.db.withHandle(h -> h.createQuery("SELECT state_json FROM rollouts WHERE id = :id").bind("id", id).mapTo(String.class).one());
        assertThat(StateJson.read(stored, RolloutState.class).hosts()).isEmpty();
        assertThat(StateJson.read(stored, RolloutState.class).tally().hosts()).isEqualTo(20);
    }
}
