package dev.klpfleet.cli.fleet;

import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, description = "Benchmarks.", subcommands = {BenchCommand.Checkin.class, BenchCommand.Engine.class, DashboardBench.class})
public final class BenchCommand {

    /** The benchmark's JSON document (docs/CLI.md). */
    public record CheckinBench(int hosts, double seconds, int connections, String database, long checkins, double checkinsPerSec,
                               double baselinePerSec, double ratio, double p50Ms, double p99Ms, double baselineP50Ms,
                               double baselineP99Ms, long errors, double serverCpuUsPerCheckin, double serverCpuUsPerBaseline,
                               double checkinsPerServerCpuSecond) {}

    @Command(name = "checkin", mixinStandardHelpOptions = true,
            description = {"Start a server on loopback, enroll N simulated hosts, drive check-ins over HTTP (with ETags, as agents do),",
                    "then a trivial endpoint (/healthz) on the same server as a baseline."})
    static final class Checkin implements Callable<Integer> {
        static final int MAX_HOSTS = 100_000;
        static final int MAX_SECONDS = 300;

        @Mixin Output output;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--hosts", defaultValue = "1000", description = "Simulated hosts (default ${DEFAULT-VALUE}, at most 100000).") int hosts;
        @Option(names = "--seconds", defaultValue = "10", description = "Seconds per phase (default ${DEFAULT-VALUE}, at most 300).") double seconds;
        @Option(names = "--connections", defaultValue = "8", description = "Concurrent loopback connections (default ${DEFAULT-VALUE}).") int connections;
        @Option(names = "--db", description = "postgresql://... to measure on PostgreSQL (default: SQLite in a temporary directory).") String db;
        @Option(names = "--enrolled", defaultValue = "0",
                description = "Further enrolled hosts bulk-inserted before the run, which never check in (default ${DEFAULT-VALUE}, at most 2000000).")
        int enrolled;

        @Override
        public Integer call() throws Exception {
            if (enrolled < 0 || enrolled > 2_000_000) {
                throw new CommandFailure(ExitCodes.USAGE, "--enrolled 0..2000000");
            }
            if (hosts < 1 || hosts > MAX_HOSTS || seconds <= 0 || seconds > MAX_SECONDS || connections < 1 || connections > 256) {
                throw new CommandFailure(ExitCodes.USAGE, "--hosts 1..100000, --seconds 0..300, --connections 1..256");
            }
            Path dir = Files.createTempDirectory("klpfleet-bench");
            String admin = dev.klpfleet.server.storage.Ids.secret("klpo");
            ServerConfig cfg = ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(admin);
            if (db != null) {
                cfg = cfg.withDatabase(DatabaseLocation.parse(db));
            }
            try (FleetServer server = FleetServer.start(cfg)) {
                if (enrolled > 0) {
                    long s = System.nanoTime();
                    dev.klpfleet.server.rollout.EngineBench.seedHosts(server.database(), enrolled, System.currentTimeMillis(), "h_enrolled");
                    spec.commandLine().getErr().printf("bench checkin: %d enrolled hosts inserted in %.1f s%n", enrolled, (System.nanoTime() - s) / 1e9);
                }
                FleetClient adm = new FleetClient(server.uri(), admin);
                String enroll = adm.post("/api/v1/enrollment-tokens", Map.of("name", "bench")).json().path("token").asText();
                FleetClient enroller = new FleetClient(server.uri(), enroll);
                String[] ids = new String[hosts];
                byte[][] checkins = new byte[hosts][];
                for (int i = 0; i < hosts; i++) {
                    EnrollResponse r = enroller.post("/api/v1/enroll", new EnrollRequest("bench-" + i, "6.1.0-" + (i % 4) + "-amd64",
                            "debian 12", Map.of("rack", "r" + (i % 16)), List.of("livepatch"))).as(EnrollResponse.class);
                    ids[i] = r.hostId();
                    String body = "{\"kernelRelease\":\"6.1.0-" + (i % 4) + "-amd64\",\"loaded\":[],\"taint\":0}";
                    // One shared HTTP client: a client per host would hold a connection per host (the server allows 256 per address).
                    String etag = new FleetClient(adm.http(), server.uri(), r.credential()).postRaw("/api/v1/hosts/" + r.hostId() + "/checkin", body, null).etag();
                    checkins[i] = LoopbackLoad.request("POST", "/api/v1/hosts/" + r.hostId() + "/checkin", r.credential(), etag, body);
                }
                byte[] health = LoopbackLoad.request("GET", "/healthz", null, null, null);
                String host = server.uri().getHost();
                int port = server.uri().getPort();
                int per = Math.max(1, hosts / connections);
                // Warm up both paths so the JIT has compiled them before either is measured.
                LoopbackLoad.run(host, port, connections, Math.min(3, seconds), n -> checkins[(n / 1_000_000 * per + n % 1_000_000) % hosts]);
                LoopbackLoad.run(host, port, connections, 1, n -> health);
                long cpu0 = ServerCpu.nanos();
                LoopbackLoad.Result c = LoopbackLoad.run(host, port, connections, seconds,
                        n -> checkins[(n / 1_000_000 * per + n % 1_000_000) % hosts]);
                long cpu1 = ServerCpu.nanos();
                LoopbackLoad.Result b = LoopbackLoad.run(host, port, connections, seconds, n -> health);
                long cpu2 = ServerCpu.nanos();
                double cpuPerCheckin = (cpu1 - cpu0) / 1000.0 / Math.max(1, c.requests());
                double cpuPerBaseline = (cpu2 - cpu1) / 1000.0 / Math.max(1, b.requests());
                CheckinBench result = new CheckinBench(hosts, seconds, connections, cfg.database().toString(), c.requests(),
                        round(c.perSecond()), round(b.perSecond()), round(c.perSecond() / b.perSecond()), c.p50Ms(), c.p99Ms(),
                        b.p50Ms(), b.p99Ms(), c.non2xx() + b.non2xx(), round(cpuPerCheckin), round(cpuPerBaseline),
                        Math.round(1_000_000 / Math.max(0.001, cpuPerCheckin)));
                PrintWriter out = spec.commandLine().getOut();
                output.emit(out, result, r -> out.printf("check-ins: %.0f/s (p50 %.2f ms, p99 %.2f ms); baseline /healthz: %.0f/s; ratio %.2f; "
                        + "server CPU %.1f us per check-in (%.0f check-ins per server CPU second), %.1f us per baseline request; "
                        + "%d hosts, %d connections, %s%n", r.checkinsPerSec(), r.p50Ms(), r.p99Ms(), r.baselinePerSec(), r.ratio(),
                        r.serverCpuUsPerCheckin(), r.checkinsPerServerCpuSecond(), r.serverCpuUsPerBaseline(), r.hosts(), r.connections(),
                        r.database()));
                return result.errors() == 0 ? ExitCodes.OK : ExitCodes.INTERNAL;
            }
        }

        private static double round(double v) {
            return Math.round(v * 100) / 100.0;
        }
    }

    /** The engine benchmark's JSON document (docs/CLI.md, docs/BENCHMARKS.md). */
    public record EngineBenchResult(List<dev.klpfleet.server.rollout.EngineBench.Figures> sizes) {}

    @Command(name = "engine", mixinStandardHelpOptions = true,
            description = {"Engine tick time with one rollout of N hosts in a real database: hosts bulk-inserted, the rollout created,",
                    "then per round M hosts report applied and one step (moving them, dispatching M more) is timed."})
    static final class Engine implements Callable<Integer> {
        @Mixin Output output;
        @Spec picocli.CommandLine.Model.CommandSpec spec;

        @Option(names = "--hosts", split = ",", defaultValue = "10000,100000", description = "Rollout sizes, comma-separated (default ${DEFAULT-VALUE}; up to 2000000).")
        List<Integer> hosts;
        @Option(names = "--move", defaultValue = "1000", description = "Hosts that report, and are moved, per step (default ${DEFAULT-VALUE}).") int move;
        @Option(names = "--rounds", defaultValue = "7", description = "Timed steps per size (default ${DEFAULT-VALUE}).") int rounds;
        @Option(names = "--db", description = "postgresql://... to measure on PostgreSQL (a fresh schema per size; default: SQLite in a temporary directory).") String db;

        @Override
        public Integer call() throws Exception {
            if (hosts.stream().anyMatch(n -> n < 1 || n > 2_000_000) || move < 1 || move > 100_000 || rounds < 1 || rounds > 100) {
                throw new CommandFailure(ExitCodes.USAGE, "--hosts 1..2000000 each, --move 1..100000, --rounds 1..100");
            }
            PrintWriter err = spec.commandLine().getErr();
            List<dev.klpfleet.server.rollout.EngineBench.Figures> out = new java.util.ArrayList<>();
            for (int n : hosts) {
                DatabaseLocation loc;
                if (db == null) {
                    Path dir = Files.createTempDirectory("klpfleet-engine-bench");
                    loc = DatabaseLocation.inDataDir(dir);
                } else {
                    DatabaseLocation parsed = DatabaseLocation.parse(db);
                    if (!(parsed instanceof DatabaseLocation.Postgres pg)) {
                        throw new CommandFailure(ExitCodes.USAGE, "--db takes a postgresql:// URL");
                    }
                    loc = pg.withSchema("bench_engine_" + n + "_" + Long.toHexString(System.nanoTime()));
                }
                out.add(dev.klpfleet.server.rollout.EngineBench.run(loc, n, move, rounds, line -> {
                    err.println("bench engine: " + line);
                    err.flush();
                }));
            }
            PrintWriter w = spec.commandLine().getOut();
            output.emit(w, new EngineBenchResult(out), r -> r.sizes().forEach(f -> w.printf(
                    "%d hosts: step moving %d hosts %.1f ms median (max %.1f), idle step %.1f ms, desired-set rebuild %.0f ms; "
                            + "seed %.1f s, create %.1f s, heap %d MB, %s%n", f.hosts(), f.movedPerTick(), f.tickMsMedian(), f.tickMsMax(),
                    f.idleTickMsMedian(), f.desiredRebuildMs(), f.seedSeconds(), f.createSeconds(), f.heapUsedMb(), f.database())));
            return ExitCodes.OK;
        }
    }
}
