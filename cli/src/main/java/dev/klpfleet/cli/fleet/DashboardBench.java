package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.analytics.EventFacts;
import dev.klpfleet.server.dashboard.DashboardOptions;
import dev.klpfleet.server.host.FleetJson;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jdbi.v3.core.statement.PreparedBatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Seeds a fleet database of {@code --hosts} hosts and {@code --events} apply events (results in a
 * fixed mix, evidence shaped as the agent's LoadResult, facts extracted by the server's own
 * {@link EventFacts}), then times each analytics query over the API and each dashboard page over
 * HTTP on loopback: the median of {@code --repeat} requests each.
 */
@Command(name = "dashboard", mixinStandardHelpOptions = true,
        description = "Seed N hosts and M events, then time the analytics API and every dashboard page (docs/BENCHMARKS.md).")
final class DashboardBench implements Callable<Integer> {
    static final String ADMIN = "bench-dashboard-admin-token-0123456789abcdef";
    static final List<String> KERNELS = List.of("6.1.0-57-amd64", "6.1.0-58-amd64", "6.12.117+deb12-amd64", "6.12.119+deb12-amd64");
    /** Out of 100 events: applied, stalled-waiting, stalled-reverted, refused, load-failed. */
    static final int[] MIX = {85, 5, 5, 3, 2};
    static final String[] RESULTS = {"applied", "stalled-waiting", "stalled-reverted", "refused", "load-failed"};
    static final int BATCH = 5_000;

    @Mixin Output output;
    @Spec picocli.CommandLine.Model.CommandSpec spec;

    @Option(names = "--hosts", defaultValue = "100000", description = "Hosts (default ${DEFAULT-VALUE}).") int hosts;
    @Option(names = "--events", defaultValue = "1000000", description = "Apply events (default ${DEFAULT-VALUE}).") int events;
    @Option(names = "--repeat", defaultValue = "5", description = "Requests per page or query; the median is reported.") int repeat;
    @Option(names = "--db", description = "postgresql://... (default: SQLite in a temporary directory).") String db;

    @Override
    public Integer call() throws Exception {
        if (hosts < 1 || events < 0 || repeat < 1) {
            throw new CommandFailure(ExitCodes.USAGE, "--hosts and --repeat must be at least 1, --events at least 0");
        }
        Path dir = Files.createTempDirectory("klpfleet-bench-dashboard");
        ServerConfig cfg = ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(ADMIN);
        if (db != null) {
            cfg = cfg.withDatabase(DatabaseLocation.parse(db));
        }
        Map<String, Object> result = new LinkedHashMap<>();
        try (FleetServer server = FleetServer.start(cfg, DashboardOptions.on("127.0.0.1", 0))) {
            HttpClient scrapes = HttpClient.newHttpClient();
            HttpRequest scrape = HttpRequest.newBuilder(server.uri().resolve("/metrics")).build();
            // The baseline of the same run: a scrape of the same server with an empty fleet.
            double scrapeEmpty = median(scrapes, scrape);
            long seedStarted = System.currentTimeMillis();
            long t0 = System.nanoTime();
            seed(server);
            result.put("hosts", hosts);
            result.put("events", events);
            result.put("database", cfg.database().toString());
            result.put("seedSeconds", (System.nanoTime() - t0) / 1e9);
            HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
            Map<String, Double> ms = new LinkedHashMap<>();
            for (String q : List.of("stalls", "impact", "failures")) {
                ms.put("api analytics/" + q, median(http, HttpRequest.newBuilder(server.uri().resolve("/api/v1/analytics/" + q))
                        .header("Authorization", "Bearer " + ADMIN).build()));
            }
            ms.put("api cves", median(http, HttpRequest.newBuilder(server.uri().resolve("/api/v1/cves")).header("Authorization", "Bearer " + ADMIN).build()));
            URI web = server.dashboardUri();
            HttpResponse<String> in = http.send(HttpRequest.newBuilder(web.resolve("/signin")).header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("token=" + URLEncoder.encode(ADMIN, StandardCharsets.UTF_8))).build(), HttpResponse.BodyHandlers.ofString());
            String cookie = in.headers().firstValue("Set-Cookie").orElseThrow(() -> new IllegalStateException("dashboard sign-in failed")).split(";", 2)[0];
            String someHost = server.database().withHandle(h -> h.createQuery("SELECT id FROM hosts ORDER BY id LIMIT 1").mapTo(String.class).one());
            for (String page : List.of("/", "/hosts", "/hosts?q=bench-0005", "/hosts/" + someHost, "/patches", "/rollouts", "/analytics", "/cves")) {
                ms.put("page " + page, median(http, HttpRequest.newBuilder(web.resolve(page)).header("Cookie", cookie).build()));
            }
            ms.put("metrics scrape, empty fleet", scrapeEmpty);
            MetricsText after = awaitRefreshAfter(scrapes, scrape, seedStarted);
            ms.put("metrics scrape", median(scrapes, scrape));
            result.put("medianMillis", ms);
            result.put("metricsScrapeRatio", ms.get("metrics scrape") / scrapeEmpty);
            result.put("metricsHostsCounted", after.sum("klpfleet_hosts{"));
            result.put("metricsRefreshMeanMillis", 1000 * after.sum("klpfleet_metrics_refresh_seconds_sum") / after.sum("klpfleet_metrics_refresh_seconds_count"));
        }
        var out = spec.commandLine().getOut();
        output.emit(out, result, r -> {
            out.printf("%d hosts, %d events on %s, seeded in %.1f s%n", hosts, events, r.get("database"), (Double) r.get("seedSeconds"));
            @SuppressWarnings("unchecked")
            Map<String, Double> m = (Map<String, Double>) r.get("medianMillis");
            m.forEach((k, v) -> out.printf("  %-32s %9.1f ms%n", k, v));
            out.printf("  /metrics at %d hosts vs an empty fleet: %.2fx; its gauges count %.0f hosts; the refresher reads them in %.1f ms (mean, off the scrape path)%n",
                    hosts, (Double) r.get("metricsScrapeRatio"), (Double) r.get("metricsHostsCounted"), (Double) r.get("metricsRefreshMeanMillis"));
        });
        return ExitCodes.OK;
    }

    /** How long the bench waits for the server's aggregate refresher to have read the seeded fleet. */
    static final java.time.Duration REFRESH_WAIT = java.time.Duration.ofMinutes(3);

    /** A scrape's text, summed by series-name prefix. */
    record MetricsText(String text) {
        double sum(String prefix) {
            double total = 0;
            for (String line : text.split("\n")) {
                if (line.startsWith(prefix)) {
                    total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
            return total;
        }
    }

    /** Scrapes until the fleet aggregates were refreshed after {@code sinceMillis}, so a scrape reports the seeded hosts. */
    private static MetricsText awaitRefreshAfter(HttpClient http, HttpRequest scrape, long sinceMillis) throws Exception {
        long deadline = System.nanoTime() + REFRESH_WAIT.toNanos();
        while (true) {
            MetricsText m = new MetricsText(http.send(scrape, HttpResponse.BodyHandlers.ofString()).body());
            if (m.sum("klpfleet_metrics_refresh_timestamp_seconds") * 1000 > sinceMillis && m.sum("klpfleet_hosts{") > 0) {
                return m;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the server did not refresh its fleet aggregates within " + REFRESH_WAIT);
            }
            Thread.sleep(500);
        }
    }

    private double median(HttpClient http, HttpRequest req) throws Exception {
        List<Double> t = new ArrayList<>();
        for (int i = 0; i < repeat; i++) {
            long s = System.nanoTime();
            HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            t.add((System.nanoTime() - s) / 1e6);
            if (r.statusCode() != 200) {
                throw new IllegalStateException(req.uri() + " answered " + r.statusCode());
            }
        }
        t.sort(Double::compare);
        return t.get(t.size() / 2);
    }

    private void seed(FleetServer server) {
        var database = server.database();
        long now = System.currentTimeMillis();
        for (int from = 0; from < hosts; from += BATCH) {
            int start = from;
            int end = Math.min(hosts, from + BATCH);
            database.inTransaction(h -> {
                PreparedBatch b = h.prepareBatch("INSERT INTO hosts (id, hostname, kernel_release, distro, labels_json, host_labels_json, capabilities_json, "
                        + "observed_json, credential_hash, hash_kind, enrolled_at, last_seen_at) VALUES (:id, :hn, :kr, 'debian 12', :l, '{}', '[\"livepatch\"]', "
                        + "'{\"loaded\":[],\"taint\":0}', :ch, 'hmac', :now, :seen)");
                PreparedBatch loaded = h.prepareBatch("INSERT INTO host_loaded (host_id, patch_name, patch_version, state) VALUES (:id, 'klpf_cmdline', '1', 'enabled')");
                for (int i = start; i < end; i++) {
                    String id = String.format("h_bench%08d", i);
                    b.bind("id", id).bind("hn", String.format("bench-%06d", i)).bind("kr", KERNELS.get(i % KERNELS.size()))
                            .bind("l", "{\"tier\":\"" + (i % 100 == 0 ? "canary" : "web") + "\"}").bind("ch", "bench-" + i).bind("now", now)
                            .bind("seen", i % 50 == 0 ? now - 3_600_000 : now).add();
                    if (i % 5 != 0) {
                        loaded.bind("id", id).add();
                    }
                }
                b.execute();
                loaded.execute();
                return null;
            });
        }
        database.inTransaction(h -> {
            for (String k : KERNELS.subList(0, 3)) {
                h.createUpdate("INSERT INTO artifact_cves (sha256, cve, patch_name, patch_version, kernel_release) VALUES (:s, 'CVE-2030-1111', 'klpf_cmdline', '1', :k)")
                        .bind("s", "bench-" + k).bind("k", k).execute();
            }
            return null;
        });
        for (int from = 0; from < events; from += BATCH) {
            int start = from;
            int end = Math.min(events, from + BATCH);
            database.inTransaction(h -> {
                PreparedBatch ev = h.prepareBatch("INSERT INTO host_events (host_id, event_id, kind, patch_name, patch_version, result, evidence_json, "
                        + "occurred_at, received_at) VALUES (:h, :e, 'apply', :p, '1', :r, :ev, :at, :at)");
                List<Object[]> facts = new ArrayList<>();
                for (int i = start; i < end; i++) {
                    int host = (int) ((i * 2654435761L) % hosts);
                    String hostId = String.format("h_bench%08d", host);
                    String result = result(i);
                    String patch = i % 3 == 0 ? "klpf_target_patch" : "klpf_cmdline";
                    JsonNode doc = evidence(result, patch, KERNELS.get(host % KERNELS.size()), i);
                    String eventId = "bench-" + i;
                    ev.bind("h", hostId).bind("e", eventId).bind("p", patch).bind("r", result).bind("ev", doc.toString()).bind("at", now - (events - i)).add();
                    facts.add(new Object[] {hostId, HostEvent.fromWire(eventId, "apply", patch, "1", result, Instant.ofEpochMilli(now), doc)});
                }
                ev.execute();
                for (Object[] f : facts) {
                    EventFacts.record(h, (String) f[0], (HostEvent) f[1], now);
                }
                return null;
            });
        }
    }

    private static String result(int i) {
        int r = i % 100;
        int acc = 0;
        for (int k = 0; k < MIX.length; k++) {
            acc += MIX[k];
            if (r < acc) {
                return RESULTS[k];
            }
        }
        return RESULTS[0];
    }

    /** A LoadResult-shaped document (the fields the agent sends), its figures varied by {@code i}. */
    private static JsonNode evidence(String result, String patch, String kernel, int i) {
        ObjectNode d = FleetJson.mapper().createObjectNode();
        d.put("result", result).put("patch", patch).put("kernelRelease", kernel).put("message", result + " " + patch);
        ObjectNode t = d.putObject("timings");
        t.put("insmodMs", 400 + i % 900).put("insmodCpuMs", 100 + i % 1700);
        if (result.equals("applied")) {
            t.put("transitionMs", 5 + i % 3000);
        } else {
            t.putNull("transitionMs");
        }
        var blockers = d.putArray("blockers");
        if (result.startsWith("stalled")) {
            ObjectNode b = blockers.addObject();
            b.put("pid", 300 + i % 4000).put("comm", i % 2 == 0 ? "klpf_sleeper" : "kworker/u8:" + i % 7).put("kthread", true);
            b.putArray("stack").add("[<0>] klpf_target_wait+0x81/0xc0 [klpf_target]").add("[<0>] kthread+0xcf/0x100");
            b.putArray("functions").add(i % 4 == 0 ? "klpf_target_wait [klpf_target]" : "cmdline_proc_show");
        }
        d.putArray("kernelLog");
        ObjectNode impact = d.putObject("impact");
        for (String phase : List.of("insmod", "transition")) {
            ObjectNode p = impact.putObject(phase);
            p.put("elapsed", 1000 + i % 5000).put("ksoftirqdMaxDelayNanos", (long) (i % 97) * 250_000L).put("retransSegs", i % 41 == 0 ? i % 5 : 0);
        }
        return d;
    }
}
