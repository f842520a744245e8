package dev.klpfleet.server.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.klpfleet.server.host.FleetJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The committed scenarios (docs/scenarios) run on the real rollout core: a good patch reaches
 * every host, a bad one is halted with no more hosts exposed than its canary wave, and a seed
 * gives the same result every time.
 */
class SimulatorTest {
    static final Path SCENARIOS = Path.of("..", "docs", "scenarios");

    static SimScenario scenario(String file, int hosts) throws IOException {
        SimScenario s = FleetJson.strictReader(SimScenario.class).readValue(SCENARIOS.resolve(file).toFile());
        return new SimScenario(s.name(), hosts, s.horizon(), s.tick(), s.fleet(), s.patch(), s.plan());
    }

    static SimResult run(SimScenario s, long seed) {
        return new Simulator(s, seed).run(line -> {});
    }

    @Test
    void every_committed_scenario_is_tested_here() throws IOException {
        try (Stream<Path> files = Files.list(SCENARIOS)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(f -> f.endsWith(".json")).sorted().toList())
                    .containsExactly("crash-1-in-10000.json", "good-patch.json", "silent-5-percent.json", "stall-on-one-release.json",
                            "transient-stall.json");
        }
    }

    @Test
    void a_good_patch_reaches_every_host_wave_by_wave_and_exposes_none() throws IOException {
        SimResult r = run(scenario("good-patch.json", 20_000), 7);
        assertThat(r.status()).isEqualTo("COMPLETED");
        assertThat(r.phases()).containsOnlyKeys("APPLIED").containsEntry("APPLIED", 20_000L);
        assertThat(r.hoursTo50()).isNotNull();
        assertThat(List.of(r.hoursTo50(), r.hoursTo90(), r.hoursTo99(), r.hoursTo100())).isSorted();
        // Four waves each soak an hour once their hosts finish: 100 % comes after at least three soaks.
        assertThat(r.hoursTo100()).isGreaterThanOrEqualTo(3.0);
        assertThat(r.exposedHosts()).isZero();
        assertThat(r.decisions()).containsEntry("WAVE_STARTED", 3L).containsEntry("COMPLETED", 1L);
        assertThat(r.timeline()).isNotEmpty();
    }

    @Test
    void a_patch_stalling_on_one_release_is_paused_within_its_canary() throws IOException {
        SimResult r = run(scenario("stall-on-one-release.json", 100_000), 3);
        assertThat(r.status()).isEqualTo("PAUSED");
        assertThat(r.haltReason()).startsWith("stall rate");
        assertThat(r.wave()).as("still the canary wave").isZero();
        assertThat(r.exposedHosts()).isPositive().isLessThanOrEqualTo(r.canaryHosts());
        assertThat(r.haltMinutesAfterFirstBad()).isNotNull().isLessThanOrEqualTo(1.0);
    }

    @Test
    void stalls_that_clear_on_a_retry_do_not_halt_a_plan_granting_three_attempts() throws IOException {
        SimResult r = run(scenario("transient-stall.json", 20_000), 3);
        assertThat(r.status()).isEqualTo("COMPLETED");
        assertThat(r.phases()).containsOnlyKeys("APPLIED").containsEntry("APPLIED", 20_000L);
        assertThat(r.decisions()).containsKey("RETRY_SCHEDULED").doesNotContainKey("GATE_TRIPPED");
        assertThat(r.timeline()).anyMatch(row -> row.retrying() > 0);
    }

    @Test
    void stalls_that_recur_on_every_attempt_halt_the_rollout_once_its_first_host_is_out_of_attempts() throws IOException {
        SimScenario s = scenario("transient-stall.json", 20_000);
        SimScenario.Behaviour b = s.patch().byRelease().get("6.12.117+deb12-amd64");
        SimScenario.Behaviour forGood = new SimScenario.Behaviour(b.loadFail(), b.stall(), b.stallFor(), b.crash(), b.crashAfter(),
                b.applyTime(), b.applySpread(), b.impact(), 0.0);
        SimResult r = run(new SimScenario(s.name(), s.hosts(), s.horizon(), s.tick(), s.fleet(),
                new SimScenario.Patch(Map.of("6.12.117+deb12-amd64", forGood), s.patch().others()), s.plan()), 3);
        assertThat(r.status()).isEqualTo("PAUSED");
        assertThat(r.haltReason()).startsWith("stall rate");
        assertThat(r.wave()).as("still the canary wave").isZero();
        assertThat(r.phases()).containsKey("STALLED");
        // Two retries 5 and 10 minutes (plus jitter) after the first stall, each learnt at a check-in and stalling a minute.
        assertThat(r.haltMinutesAfterFirstBad()).isNotNull().isGreaterThan(15.0);
    }

    @Test
    void a_patch_crashing_one_host_in_ten_thousand_is_rolled_back_before_it_leaves_the_canary() throws IOException {
        // A million hosts, as the scenario says: its 5 % canary (50,000 hosts) then holds about five crashing hosts.
        SimResult r = run(scenario("crash-1-in-10000.json", 1_000_000), 1);
        assertThat(r.status()).isEqualTo("ROLLED_BACK");
        assertThat(r.haltReason()).contains("crash");
        assertThat(r.wave()).isZero();
        assertThat(r.exposedHosts()).isPositive().isLessThanOrEqualTo(r.canaryHosts());
        assertThat(r.phases()).containsKey("ROLLED_BACK").doesNotContainKey("APPLIED");
    }

    @Test
    void five_percent_silent_hosts_trip_the_silence_gate_and_no_host_runs_a_bad_patch() throws IOException {
        SimResult r = run(scenario("silent-5-percent.json", 20_000), 5);
        assertThat(r.status()).isEqualTo("PAUSED");
        assertThat(r.haltReason()).contains("silent for over PT10M");
        assertThat(r.exposedHosts()).isZero();
        assertThat(r.firstBadHour()).isNull();
    }

    @Test
    void the_same_seed_gives_the_same_result_and_another_seed_another() throws IOException {
        SimScenario s = scenario("stall-on-one-release.json", 20_000);
        SimResult a = run(s, 11);
        assertThat(run(s, 11)).isEqualTo(a);
        assertThat(run(s, 11).timelineCsv()).isEqualTo(a.timelineCsv());
        assertThat(run(s, 12)).isNotEqualTo(a);
    }

    @Test
    void the_committed_plans_compare_on_one_fleet_and_the_cautious_one_is_slower() throws IOException {
        SimScenario s = scenario("good-patch.json", 20_000);
        dev.klpfleet.server.rollout.core.Plan cautious = FleetJson.strictReader(dev.klpfleet.server.rollout.core.Plan.class)
                .readValue(SCENARIOS.resolve("plans/cautious.json").toFile());
        dev.klpfleet.server.rollout.core.Plan fast = FleetJson.strictReader(dev.klpfleet.server.rollout.core.Plan.class)
                .readValue(SCENARIOS.resolve("plans/fast.json").toFile());
        SimResult slow = run(new SimScenario(s.name(), s.hosts(), s.horizon(), s.tick(), s.fleet(), s.patch(), cautious), 1);
        SimResult quick = run(new SimScenario(s.name(), s.hosts(), s.horizon(), s.tick(), s.fleet(), s.patch(), fast), 1);
        assertThat(slow.status()).isEqualTo("COMPLETED");
        assertThat(quick.status()).isEqualTo("COMPLETED");
        assertThat(quick.hoursTo100()).isLessThan(slow.hoursTo100());
    }

    @Test
    void an_unusable_scenario_is_refused_with_one_line() {
        SimScenario bad = new SimScenario("x", 0, null, null, null, null, null);
        assertThatThrownBy(() -> new Simulator(bad, 1)).isInstanceOf(IllegalArgumentException.class).hasMessage("hosts must be within 1..16777215");
    }
}
