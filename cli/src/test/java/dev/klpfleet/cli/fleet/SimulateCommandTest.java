package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** `klpfleet simulate` runs a committed scenario from the command line, as docs/SIMULATE.md shows it. */
class SimulateCommandTest {
    static final Path SCENARIOS = Path.of("..", "docs", "scenarios");

    @Test
    void a_committed_scenario_runs_and_prints_its_result_as_json_and_its_timeline_as_csv(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("timeline.csv");
        FleetCommandsTest.Run r = FleetCommandsTest.run("simulate", "--scenario", SCENARIOS.resolve("stall-on-one-release.json").toString(),
                "--hosts", "20000", "--seed", "4", "--json", "--timeline", csv.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        JsonNode run = Json.mapper().readTree(r.out()).path("runs").get(0);
        assertThat(run.path("hosts").asInt()).isEqualTo(20000);
        assertThat(run.path("status").asText()).isEqualTo("PAUSED");
        assertThat(run.path("exposedHosts").asLong()).isPositive().isLessThanOrEqualTo(run.path("canaryHosts").asLong());
        assertThat(Files.readAllLines(csv).get(0)).isEqualTo("second,wave,wave_name,pending,applying,applied,failed,stalled,rolling_back,rolled_back,retrying");
        assertThat(r.err()).contains("done in");
    }

    @Test
    void plans_compare_side_by_side_in_the_human_form() {
        FleetCommandsTest.Run r = FleetCommandsTest.run("simulate", "--scenario", SCENARIOS.resolve("good-patch.json").toString(), "--hosts", "5000",
                "--compare", SCENARIOS.resolve("plans/cautious.json").toString(), SCENARIOS.resolve("plans/fast.json").toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(ExitCodes.OK);
        assertThat(r.out()).contains("good patch / cautious.json: 5000 hosts", "good patch / fast.json: 5000 hosts", "applied: 50%");
    }

    @Test
    void a_scenario_with_an_unknown_field_is_refused_in_one_line(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"hosts\": 10, \"flet\": {}}");
        FleetCommandsTest.Run r = FleetCommandsTest.run("simulate", "--scenario", bad.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip()).contains("flet").doesNotContain("\n").doesNotContain("Exception");
        FleetCommandsTest.Run zero = FleetCommandsTest.run("simulate", "--hosts", "0");
        assertThat(zero.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(zero.err()).contains("hosts must be within 1..");
    }
}
