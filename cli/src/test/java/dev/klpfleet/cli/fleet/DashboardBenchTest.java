package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.server.host.FleetJson;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code klpfleet bench dashboard} seeds a small fleet and answers every page and query it times (figures are not judged: the machine is shared). */
class DashboardBenchTest {
    @Test
    void a_small_run_seeds_and_times_every_page_and_query() throws Exception {
        PrintStream out = System.out;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        System.setOut(new PrintStream(o, true, StandardCharsets.UTF_8));
        int exit;
        try {
            exit = Main.run("bench", "dashboard", "--hosts", "300", "--events", "3000", "--repeat", "1", "--json");
        } finally {
            System.setOut(out);
        }
        assertThat(exit).isEqualTo(ExitCodes.OK);
        JsonNode r = FleetJson.mapper().readTree(o.toString(StandardCharsets.UTF_8));
        assertThat(r.path("hosts").asInt()).isEqualTo(300);
        assertThat(r.path("events").asInt()).isEqualTo(3000);
        List<String> names = new ArrayList<>();
        r.path("medianMillis").fieldNames().forEachRemaining(names::add);
        assertThat(names).contains("api analytics/stalls", "api analytics/impact", "api analytics/failures", "api cves", "page /", "page /hosts",
                "page /analytics", "page /cves", "page /patches", "page /rollouts", "metrics scrape", "metrics scrape, empty fleet");
        assertThat(r.path("metricsHostsCounted").asDouble()).as("the scrape timed at the end reports the seeded fleet").isEqualTo(300);
        assertThat(r.path("metricsRefreshMeanMillis").asDouble()).isPositive();
        r.path("medianMillis").forEach(v -> assertThat(v.asDouble()).isPositive());
    }
}
