package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.metrics.Textfile;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.BootCheckin;
import dev.klpfleet.agent.state.LoadMark;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The crash-loop guard in the agent's passes, against a real HTTP stand-in server on loopback and a
 * kernel tree whose boot id the test changes: what the agent reports after a boot that did not
 * survive a load, that it does not load the patch again, and that an operator's clearing lifts it.
 */
class CrashGuardAgentTest {
    static final String OLD_BOOT = "11111111-1111-4111-8111-111111111111";
    static final String NEW_BOOT = "22222222-2222-4222-8222-222222222222";
    static final String SHA = "ab".repeat(32);
    static final Instant LOADED = Instant.parse("2026-12-01T10:00:00Z");
    static final Instant NOW = Instant.parse("2026-12-01T10:30:00Z");

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
        fleet.desiredJson = desired(SHA);
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    static String desired(String sha) {
        return "[{\"patch\":\"fix_cmdline\",\"version\":\"1\",\"sha256\":\"" + sha + "\",\"module\":\"fix_cmdline.ko\",\"rolloutId\":\"r_1\"}]";
    }

    Agent agent() throws Exception {
        ControlPlane plane = new ControlPlane(fleet.uri());
        InstantSource clock = InstantSource.fixed(NOW);
        return new Agent(LiveKernel.at(new KernelRoot(kernel.root), clock, LoadOptions.defaults()), plane, new StateFile(data),
                new ArtifactCache(data, plane, SigningKeys.generate().publicKey()), clock, d -> { }, new Random(7), Duration.ofMinutes(10));
    }

    /** The state an agent left on boot OLD_BOOT: fix_cmdline loaded at LOADED, the boot last seen {@code alive} after it. */
    void loadedOnTheOldBoot(Duration alive) throws Exception {
        AgentState s = AgentState.empty().enrolled("h_1", "klph_test")
                .withManaged(new ManagedPatch("fix_cmdline", "1", SHA, "r_1", ManagedPatch.Phase.LOADED, 1))
                .marked(new LoadMark("fix_cmdline", "1", SHA, "r_1", OLD_BOOT, LOADED.minusSeconds(3), LOADED))
                .checkedIn(new BootCheckin(OLD_BOOT, LOADED.plus(alive)));
        new StateFile(data).save(s);
        kernel.reboot(NEW_BOOT, 0);
    }

    JsonNode recordedEvent() throws Exception {
        return WireJson.mapper().readTree(fleet.eventBodies.get(fleet.eventBodies.size() - 1));
    }

    @Test
    void after_a_boot_that_died_minutes_after_the_load_the_agent_reports_crash_suspected_and_does_not_load_it() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(2));
        Agent agent = agent();

        Pass p = agent.pass();

        assertThat(p.actions()).singleElement().satisfies(a -> {
            assertThat(a.action()).isEqualTo("crash-guard");
            assertThat(a.result()).isEqualTo("crash-suspected");
            assertThat(a.patch()).isEqualTo("fix_cmdline");
        });
        JsonNode e = recordedEvent();
        assertThat(e.path("kind").asText()).isEqualTo("apply");
        assertThat(e.path("result").asText()).isEqualTo("crash-suspected");
        JsonNode ev = e.path("evidence");
        assertThat(ev.path("previousBootId").asText()).isEqualTo(OLD_BOOT);
        assertThat(ev.path("bootId").asText()).isEqualTo(NEW_BOOT);
        assertThat(ev.path("reason").asText()).isEqualTo("applied-within-window");
        assertThat(ev.path("loadStartedAt").asText()).isEqualTo(LOADED.minusSeconds(3).toString());
        assertThat(ev.path("loadCompletedAt").asText()).isEqualTo(LOADED.toString());
        assertThat(ev.path("lastCheckinAt").asText()).isEqualTo(LOADED.plus(Duration.ofMinutes(2)).toString());
        assertThat(ev.path("crashWindowSeconds").asLong()).isEqualTo(600);
        assertThat(fleet.recorded()).containsExactly(e.path("eventId").asText());
        assertThat(fleet.artifactDownloads).as("the held build is never fetched, let alone loaded").isEmpty();

        AgentState saved = new StateFile(data).load();
        assertThat(saved.crashSuspects()).containsOnlyKeys("fix_cmdline");
        assertThat(saved.loads()).as("the old boot's mark is judged and gone").isEmpty();
        assertThat(saved.managed()).as("the crash took the module; nothing is left to resume").isEmpty();

        // A restarted agent, pass after pass: still held, reported once.
        Agent restarted = agent();
        assertThat(restarted.pass().actions()).isEmpty();
        assertThat(restarted.pass().actions()).isEmpty();
        assertThat(fleet.artifactDownloads).isEmpty();
        assertThat(fleet.eventBodies).hasSize(1);
        assertThat(fleet.crashHoldRequests).as("it asks whether an operator cleared it").isNotEmpty();
    }

    @Test
    void once_an_operator_clears_the_event_the_hold_is_lifted_and_the_patch_may_load_again() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(2));
        Agent agent = agent();
        agent.pass();
        String eventId = agent.state().crashSuspects().get("fix_cmdline").eventId();
        fleet.crashHoldsJson = "[{\"eventId\":\"" + eventId + "\",\"patch\":\"fix_cmdline\",\"version\":\"1\",\"reportedAt\":\"2026-12-01T10:30:00Z\","
                + "\"clearedAt\":\"2026-12-01T10:40:00Z\",\"clearedBy\":\"alice\",\"reason\":\"unrelated\"}]";

        Pass p = agent.pass();

        assertThat(p.actions()).first().satisfies(a -> {
            assertThat(a.action()).isEqualTo("crash-guard");
            assertThat(a.result()).isEqualTo("cleared");
            assertThat(a.message()).contains("alice");
        });
        assertThat(agent.state().crashSuspects()).isEmpty();
        assertThat(fleet.artifactDownloads).as("the next step goes for the desired build again").containsExactly(SHA);
    }

    @Test
    void the_metrics_textfile_shows_the_hold_from_the_pass_that_set_it_until_the_pass_that_lifts_it() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(2));
        Agent agent = agent();
        Path prom = data.resolve("klpfleet.prom");
        Textfile textfile = new Textfile(prom);

        textfile.passed(agent.pass(), agent.state(), agent.kernelRelease(), agent.lastCheckinAt(), NOW);

        assertThat(java.nio.file.Files.readString(prom)).contains(
                "klpfleet_agent_crash_holds 1\n",
                "klpfleet_agent_crash_hold{patch=\"fix_cmdline\",version=\"1\"} 1\n",
                "klpfleet_agent_crash_hold_since_timestamp_seconds{patch=\"fix_cmdline\",version=\"1\"} 1.796121E9\n");
        String eventId = agent.state().crashSuspects().get("fix_cmdline").eventId();
        fleet.crashHoldsJson = "[{\"eventId\":\"" + eventId + "\",\"patch\":\"fix_cmdline\",\"version\":\"1\",\"reportedAt\":\"2026-12-01T10:30:00Z\","
                + "\"clearedAt\":\"2026-12-01T10:40:00Z\",\"clearedBy\":\"alice\",\"reason\":\"unrelated\"}]";

        textfile.passed(agent.pass(), agent.state(), agent.kernelRelease(), agent.lastCheckinAt(), NOW.plusSeconds(60));

        String lifted = java.nio.file.Files.readString(prom);
        assertThat(lifted).contains("klpfleet_agent_crash_holds 0\n");
        assertThat(lifted).doesNotContain("klpfleet_agent_crash_hold{", "klpfleet_agent_crash_hold_since_timestamp_seconds{");
    }

    @Test
    void a_hold_whose_event_is_not_cleared_stays_though_another_event_was() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(2));
        Agent agent = agent();
        agent.pass();
        fleet.crashHoldsJson = "[{\"eventId\":\"crash-fix_cmdline-older\",\"patch\":\"fix_cmdline\",\"version\":\"1\","
                + "\"reportedAt\":\"2026-11-01T10:30:00Z\",\"clearedAt\":\"2026-11-01T10:40:00Z\",\"clearedBy\":\"alice\",\"reason\":null}]";

        assertThat(agent.pass().actions()).isEmpty();
        assertThat(agent.state().crashSuspects()).containsOnlyKeys("fix_cmdline");
        assertThat(fleet.artifactDownloads).isEmpty();
    }

    @Test
    void a_boot_that_lived_past_the_window_after_the_load_is_not_suspected_and_the_patch_is_applied_again() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(10));
        Agent agent = agent();

        Pass p = agent.pass();

        assertThat(p.actions()).extracting(Action::action).doesNotContain("crash-guard");
        assertThat(fleet.eventBodies).noneMatch(b -> b.contains("crash-suspected"));
        assertThat(agent.state().crashSuspects()).isEmpty();
        assertThat(fleet.artifactDownloads).as("re-applied after the boot").containsExactly(SHA);
    }

    @Test
    void another_build_of_a_held_patch_is_not_held_back() throws Exception {
        loadedOnTheOldBoot(Duration.ofMinutes(2));
        Agent agent = agent();
        agent.pass();
        String fixed = "cd".repeat(32);
        fleet.desiredJson = desired(fixed);

        agent.pass();

        assertThat(fleet.artifactDownloads).containsExactly(fixed);
    }

    @Test
    void the_last_check_in_of_a_boot_is_recorded_while_a_load_of_that_boot_is_marked_and_not_otherwise() throws Exception {
        new StateFile(data).save(AgentState.empty().enrolled("h_1", "klph_test")
                .marked(new LoadMark("fix_cmdline", "1", SHA, "r_1", OLD_BOOT, LOADED, LOADED)));
        fleet.desiredJson = "[]";
        agent().pass();
        assertThat(new StateFile(data).load().lastCheckin()).isEqualTo(new BootCheckin(OLD_BOOT, NOW));
        // Checked in a whole window after the load: settled, the next check-ins write nothing.
        java.nio.file.attribute.FileTime written = java.nio.file.Files.getLastModifiedTime(new StateFile(data).path());
        Thread.sleep(20);
        agent().pass();
        assertThat(java.nio.file.Files.getLastModifiedTime(new StateFile(data).path())).isEqualTo(written);

        new StateFile(data).save(AgentState.empty().enrolled("h_1", "klph_test"));
        agent().pass();
        assertThat(new StateFile(data).load().lastCheckin()).as("no mark: no write per check-in").isNull();
    }

    @Test
    void a_state_file_from_before_the_guard_reads_with_no_marks_and_no_holds() throws Exception {
        java.nio.file.Files.writeString(data.resolve(StateFile.NAME), "{\"hostId\":\"h_1\",\"credential\":\"klph_test\",\"managed\":{},"
                + "\"outbox\":[],\"failures\":{},\"lastTaint\":0,\"lastBootId\":null,\"droppedEvents\":0}");
        AgentState s = new StateFile(data).load();
        assertThat(s.loads()).isEmpty();
        assertThat(s.crashSuspects()).isEmpty();
        assertThat(s.lastCheckin()).isNull();
        assertThat(List.of(s.hostId())).containsExactly("h_1");
    }
}
