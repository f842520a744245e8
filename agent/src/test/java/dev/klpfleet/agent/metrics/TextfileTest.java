package dev.klpfleet.agent.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.reconcile.Requeue;
import dev.klpfleet.agent.state.AgentState;
import dev.klpfleet.agent.state.CrashSuspect;
import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.load.Impact;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.load.Timings;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's node_exporter textfile: what it says after an apply and failed passes, and node_exporter reading it. */
class TextfileTest {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");
    @TempDir
    Path dir;

    static final AgentState APPLIED = AgentState.empty().enrolled("h_1", "klph_x")
            .withManaged(new ManagedPatch("livepatch_cmdline", "3", "ab".repeat(32), "r_1", ManagedPatch.Phase.LOADED, 1));

    /** A host that applied livepatch_cmdline 3 on 6.12 (6.9 ms ksoftirqd delay during insmod), then failed to reach the server twice. */
    Path written() throws IOException {
        return written(APPLIED);
    }

    /** As {@link #written()}, with {@code state} as the agent's state file. */
    Path written(AgentState state) throws IOException {
        Path file = dir.resolve("klpfleet.prom");
        Textfile t = new Textfile(file);
        ImpactDelta insmod = new ImpactDelta(Duration.ofMillis(42), 6_900_000, 7_100_000, OptionalLong.of(3), OptionalLong.of(1200),
                OptionalLong.empty(), OptionalLong.empty(), OptionalLong.empty());
        LoadResult applied = new LoadResult(Result.APPLIED, "livepatch_cmdline", "/var/lib/klpfleet/a.ko", "ab".repeat(32),
                "6.12.48+deb13-amd64", "applied", List.of(), new Timings(120L, 30L, 850L, 4L, null, 1100L), List.of(), List.of(),
                List.of(), new Impact(insmod, null));
        Pass apply = new Pass(Requeue.Outcome.STEPPED, List.of(new Action("load", "livepatch_cmdline", "3", "applied", "applied",
                "e1", applied)), "loaded", null, Duration.ZERO, 0);
        Pass down = new Pass(Requeue.Outcome.FAILED, List.of(), "connection refused", "unreachable", Duration.ofSeconds(5), 0);
        t.passed(apply, state, "6.12.48+deb13-amd64", T0, T0);
        t.passed(down, state, "6.12.48+deb13-amd64", T0, T0.plusSeconds(60));
        t.passed(down, state, "6.12.48+deb13-amd64", T0, T0.plusSeconds(120));
        return file;
    }

    @Test
    void afterAnApplyAndTwoUnreachablePassesTheFileHoldsReleasePatchApplyFiguresAndErrorsByKind() throws Exception {
        String text = Files.readString(written());
        assertThat(text).contains(
                "klpfleet_agent_info{kernel_release=\"6.12.48+deb13-amd64\"} 1\n",
                "klpfleet_agent_patch{patch=\"livepatch_cmdline\",version=\"3\",state=\"loaded\"} 1\n",
                "klpfleet_agent_last_apply{patch=\"livepatch_cmdline\",version=\"3\",result=\"applied\"} 1\n",
                "klpfleet_agent_last_apply_duration_seconds{phase=\"transition\"} 0.85\n",
                "klpfleet_agent_last_apply_impact{path=\"insmod.ksoftirqdMaxDelayNanos\"} 6900000\n",
                "klpfleet_agent_errors_total{kind=\"unreachable\"} 2\n",
                "klpfleet_agent_errors_total{kind=\"denied\"} 0\n",
                "klpfleet_agent_last_checkin_timestamp_seconds 1.893456E9\n",
                "klpfleet_agent_crash_holds 0\n");
        assertThat(text).as("a phase that did not happen has no series").doesNotContain("phase=\"revert\"");
        assertThat(text).as("nothing held, no hold sample").doesNotContain("klpfleet_agent_crash_hold{");
        assertThat(dir.resolve("klpfleet.prom.tmp")).doesNotExist();
    }

    @Test
    void aPathNodeExporterWouldIgnoreIsRefused() {
        assertThatThrownBy(() -> new Textfile(dir.resolve("klpfleet.txt"))).hasMessageContaining("must end in .prom");
    }

    @Test
    void nodeExportersTextfileCollectorReadsTheFileAndExposesItsSeries() throws Exception {
        Path exporter = RealTool.require("prometheus-node-exporter", "prometheus-node-exporter");
        // livepatch_sysctl 2 held back after the boot before this one went down 90 s after loading it.
        written(APPLIED.suspected(new CrashSuspect("livepatch_sysctl", "2", "cd".repeat(32), "r_2", "applied-within-window",
                "11111111-1111-4111-8111-111111111111", T0.minusSeconds(3690), T0.minusSeconds(3600), T0.minusSeconds(3510),
                "crash-livepatch_sysctl-1", T0)));
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process p = new ProcessBuilder(exporter.toString(), "--web.listen-address=127.0.0.1:" + port, "--collector.disable-defaults",
                "--collector.textfile", "--collector.textfile.directory=" + dir).redirectErrorStream(true)
                .redirectOutput(dir.resolve("node-exporter.log").toFile()).start();
        try {
            HttpClient http = HttpClient.newHttpClient();
            String body = null;
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (body == null && System.nanoTime() < deadline) {
                try {
                    body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                            HttpResponse.BodyHandlers.ofString()).body();
                } catch (IOException notYet) {
                    Thread.sleep(100);
                }
            }
            assertThat(body).as(Files.readString(dir.resolve("node-exporter.log"))).isNotNull();
            assertThat(body).contains("node_textfile_scrape_error 0",
                    "klpfleet_agent_patch{patch=\"livepatch_cmdline\",state=\"loaded\",version=\"3\"} 1",
                    "klpfleet_agent_errors_total{kind=\"unreachable\"} 2",
                    "klpfleet_agent_last_apply_impact{path=\"insmod.ksoftirqdMaxDelayNanos\"} 6.9e+06",
                    "klpfleet_agent_crash_holds 1",
                    "klpfleet_agent_crash_hold{patch=\"livepatch_sysctl\",version=\"2\"} 1",
                    "klpfleet_agent_crash_hold_since_timestamp_seconds{patch=\"livepatch_sysctl\",version=\"2\"} 1.893456e+09");
        } finally {
            p.destroy();
            p.waitFor();
        }
    }
}
