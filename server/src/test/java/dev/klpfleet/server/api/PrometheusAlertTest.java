package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.rollout.Evidence;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real Prometheus from Debian's package scrapes a real server on loopback, loaded with the shipped
 * rules, while simulated hosts take a rollout that an impact gate halts: the halted-rollout alert fires.
 */
class PrometheusAlertTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    final HttpClient http = HttpClient.newHttpClient();
    @TempDir
    Path dir;

    JsonNode api(int port, String path) throws Exception {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
        return FleetJson.mapper().readTree(r.body());
    }

    @Test
    void aRolloutAnImpactGateHaltsFiresKlpfleetRolloutHaltedByGateInPrometheus() throws Exception {
        Path prometheus = RealTool.require("prometheus", "prometheus");
        try (TestFleet fleet = new TestFleet()) {
            int port = RealTool.freePort();
            Files.writeString(dir.resolve("prometheus.yml"), String.join("\n",
                    "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s",
                    "rule_files:", "  - " + RealTool.packaging().resolve("klpfleet-rules.yml"),
                    "scrape_configs:", "  - job_name: klpfleet", "    static_configs:",
                    "      - targets: ['127.0.0.1:" + fleet.server.uri().getPort() + "']", ""));
            Process p = new ProcessBuilder(prometheus.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                    "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
            try {
                TestFleet.Host a = fleet.enroll("prom-1", "6.1.0-31-amd64", Map.of("fleet", "prom"));
                TestFleet.Host b = fleet.enroll("prom-2", "6.1.0-31-amd64", Map.of("fleet", "prom"));
                assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("prom_fix", "1", "6.1.0-31-amd64")).status()).isEqualTo(201);
                String id = MetricsApiTest.gatedRollout(fleet, "prom_fix", "prom", Map.of("insmod.ksoftirqdMaxDelayNanos",
                        dev.klpfleet.server.rollout.Evidence.ksoftirqdLimitBelow(dev.klpfleet.server.rollout.Evidence.recorded("6.12", "applied"))));
                TestFleet.Host canary = null;
                while (canary == null) {
                    for (TestFleet.Host h : List.of(a, b)) {
                        if (h.checkin(null).json().path("desired").size() == 1) {
                            canary = h;
                        }
                    }
                }
                // The 6.12 guest's recording: insmod starved a ksoftirqd for longer than the 2 ms limit.
                assertThat(canary.report("prom-e1", "apply", "prom_fix", "1", "applied", Evidence.recorded("6.12", "applied")).status())
                        .isEqualTo(201);

                await().atMost(WAIT).pollInterval(Duration.ofMillis(500)).ignoreExceptions().until(() -> {
                    for (JsonNode alert : api(port, "/api/v1/alerts").path("data").path("alerts")) {
                        if (alert.path("labels").path("alertname").asText().equals("KlpfleetRolloutHaltedByGate")
                                && alert.path("labels").path("rollout").asText().equals(id) && alert.path("state").asText().equals("firing")) {
                            return true;
                        }
                    }
                    return false;
                });
                String q = URLEncoder.encode("klpfleet_rollout_gate_value{gate=\"impact.insmod.ksoftirqdMaxDelayNanos\"}", StandardCharsets.UTF_8);
                JsonNode result = api(port, "/api/v1/query?query=" + q).path("data").path("result");
                assertThat(result).hasSize(1);
                assertThat(result.get(0).path("metric").path("rollout").asText()).isEqualTo(id);
                assertThat(result.get(0).path("value").get(1).asDouble()).isEqualTo(
                        Evidence.recorded("6.12", "applied").path("impact").path("insmod").path("ksoftirqdMaxDelayNanos").asDouble());
                JsonNode up = api(port, "/api/v1/query?query=up").path("data").path("result");
                assertThat(up.get(0).path("value").get(1).asText()).as(Files.readString(dir.resolve("prometheus.log"))).isEqualTo("1");
            } finally {
                p.destroy();
                p.waitFor();
            }
        }
    }
}
