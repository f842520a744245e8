package dev.klpfleet.server.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.server.host.Desired;
import dev.klpfleet.server.rollout.core.Command;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's in-memory desired sets: what each host is told to load, and when the cache reads the database. */
class RolloutDesiredSetsTest {
    static final String K1 = "6.1.0-21-amd64";
    static final String K2 = "6.1.0-22-amd64";
    static final String K3 = "6.12.0-5-amd64";
    final DesiredFleet fleet = new DesiredFleet();

    @AfterEach
    void close() {
        fleet.close();
    }

    @Test
    void an_answer_rendered_from_a_replaced_snapshot_is_not_served_after_the_rebuild() {
        String host = fleet.host("race-1", K1, "race");
        String sha = fleet.build("race_fix", "1", K1);
        RolloutDesiredSets desired = fleet.desired();
        AtomicBoolean once = new AtomicBoolean();
        // A check-in takes the snapshot; before it renders, a rollout dispatches the host and the cache rebuilds.
        desired.beforeRender(() -> {
            if (once.compareAndSet(false, true)) {
                fleet.rollout("race_fix", "1", "race");
            }
        });

        Desired inFlight = desired.forHost(host);
        assertThat(once).isTrue();
        assertThat(inFlight.patches()).as("the check-in that overlapped the change may still answer from before it").isEmpty();
        Desired next = desired.forHost(host);
        assertThat(next.patches()).extracting(DesiredPatch::sha256).as("the next check-in sees the rebuild").containsExactly(sha);
        assertThat(next.etag()).isNotEqualTo(inFlight.etag());
    }

    @Test
    void a_kernel_change_in_a_check_in_recomputes_that_host_alone() {
        String a = fleet.host("alone-a", K1, "alone");
        String b = fleet.host("alone-b", K3, "alone");
        fleet.build("alone_fix", "1", K1);
        String onK2 = fleet.build("alone_fix", "1", K2);
        String onK3 = fleet.build("alone_fix", "1", K3);
        fleet.rollout("alone_fix", "1", "alone");
        fleet.applied(a, "alone_fix", "1");
        fleet.applied(b, "alone_fix", "1");
        fleet.desired();
        fleet.checkin(a, K1);
        assertThat(fleet.shas(b)).containsExactly(onK3);
        // Written behind the cache's back: only a rebuild of the whole cache would see it.
        fleet.db.withHandle(h -> h.execute("DELETE FROM artifacts WHERE kernel_release = ?", K3));

        List<DesiredPatch> answer = fleet.checkin(a, K2);

        assertThat(answer).extracting(DesiredPatch::sha256).as("the rebooted host is told its new kernel's build at once").containsExactly(onK2);
        assertThat(fleet.shas(b)).as("no other host was recomputed").containsExactly(onK3);
        fleet.desired().refresh();
        assertThat(fleet.shas(b)).as("the poller does not rebuild for a kernel change this process applied").containsExactly(onK3);
        assertThat(fleet.shas(a)).containsExactly(onK2);

        fleet.bumpElsewhere();
        fleet.desired().refresh();
        assertThat(fleet.shas(b)).as("a change from elsewhere is read in full").isEmpty();
        assertThat(fleet.shas(a)).containsExactly(onK2);
    }

    @Test
    void a_kernel_change_committed_while_a_rebuild_reads_is_kept_in_the_rebuilt_cache() {
        String a = fleet.host("replay-a", K1, "replay");
        fleet.build("replay_fix", "1", K1);
        String onK2 = fleet.build("replay_fix", "1", K2);
        fleet.rollout("replay_fix", "1", "replay");
        RolloutDesiredSets desired = fleet.desired();
        AtomicBoolean once = new AtomicBoolean();
        // The rebuild has read the hosts' kernels when the host's check-in records its new one.
        desired.afterRead(() -> {
            if (once.compareAndSet(false, true)) {
                fleet.checkin(a, K2);
            }
        });

        fleet.bumpElsewhere();
        desired.refresh();

        assertThat(once).isTrue();
        assertThat(fleet.shas(a)).containsExactly(onK2);
    }

    @Test
    void hosts_keep_what_they_applied_in_completed_and_aborted_rollouts_and_follow_their_kernel() {
        String done = fleet.host("keep-done", K1, "keep-done");
        String aborted = fleet.host("keep-aborted", K1, "keep-aborted");
        fleet.host("keep-aborted-silent", K1, "keep-aborted");
        String rolledBack = fleet.host("keep-rolled-back", K1, "keep-rolled-back");
        for (String p : List.of("done_fix", "aborted_fix", "rolled_back_fix")) {
            fleet.build(p, "1", K1);
            fleet.build(p, "1", K2);
        }
        String doneId = fleet.rollout("done_fix", "1", "keep-done");
        fleet.applied(done, "done_fix", "1");
        String abortedId = fleet.rollout("aborted_fix", "1", "keep-aborted");
        fleet.applied(aborted, "aborted_fix", "1");
        fleet.command(abortedId, new Command.Abort("test-operator", "enough"));
        String rolledBackId = fleet.rollout("rolled_back_fix", "1", "keep-rolled-back");
        fleet.applied(rolledBack, "rolled_back_fix", "1");
        fleet.command(rolledBackId, new Command.Rollback("test-operator", "bad"));
        assertThat(fleet.rollouts.view(doneId).orElseThrow().status().name()).isEqualTo("COMPLETED");
        assertThat(fleet.rollouts.view(abortedId).orElseThrow().status().name()).isEqualTo("ABORTED");

        assertThat(fleet.checkin(done, K2)).extracting(DesiredPatch::patch, DesiredPatch::sha256)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("done_fix", sha("done_fix", K2)));
        assertThat(fleet.checkin(aborted, K2)).extracting(DesiredPatch::patch).containsExactly("aborted_fix");
        assertThat(fleet.checkin(rolledBack, K2)).isEmpty();
        assertThat(fleet.db.withHandle(h -> fleet.rollouts.active(h)).stream().map(Rollouts.Active::id))
                .as("a rollout holding no host that wants its patch is not read").containsExactly(doneId, abortedId);
    }

    @Test
    void a_rollout_stored_before_hosts_were_counted_is_read_until_the_cache_counts_it() {
        String host = fleet.host("uncounted-1", K1, "uncounted");
        String sha = fleet.build("uncounted_fix", "1", K1);
        String applied = fleet.rollout("uncounted_fix", "1", "uncounted");
        fleet.applied(host, "uncounted_fix", "1");
        String other = fleet.host("uncounted-2", K1, "uncounted-other");
        fleet.build("other_fix", "1", K1);
        String rolledBack = fleet.rollout("other_fix", "1", "uncounted-other");
        fleet.command(rolledBack, new Command.Rollback("test-operator", "bad"));
        // As a row written before the count existed (migration V2) is stored.
        fleet.db.withHandle(h -> h.execute("UPDATE rollouts SET desired_hosts = -1"));

        assertThat(fleet.shas(host)).containsExactly(sha);
        assertThat(fleet.shas(other)).isEmpty();
        List<String> counted = fleet.db.withHandle(h -> h.createQuery("SELECT id || '=' || desired_hosts FROM rollouts ORDER BY created_at, id")
                .mapTo(String.class).list());
        assertThat(counted).containsExactly(applied + "=1", rolledBack + "=0");
    }

    private String sha(String patch, String kernel) {
        return String.format("%064x", (patch + "/1/" + kernel).hashCode() & 0xffffffffL);
    }
}
