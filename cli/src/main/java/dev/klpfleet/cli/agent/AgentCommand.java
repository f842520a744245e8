package dev.klpfleet.cli.agent;

import dev.klpfleet.agent.Agent;
import dev.klpfleet.agent.Identity;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.controlplane.ControlPlaneException;
import dev.klpfleet.agent.kernel.LiveKernel;
import dev.klpfleet.agent.metrics.Textfile;
import dev.klpfleet.cli.logging.LogFormat;
import dev.klpfleet.agent.state.StateFile;
import dev.klpfleet.cli.CommandFailure;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Output;
import dev.klpfleet.cli.kernel.StallOptions;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import dev.klpfleet.protocol.artifact.SigningKeys;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.InstantSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.random.RandomGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "agent", mixinStandardHelpOptions = true, description = {
        "The host agent: check in with the server, load the patches its desired set names (verified against",
        "the fleet key first), unload the ones it dropped, report every result. Runs forever unless --once.",
        "Needs root. Exit codes: docs/CLI.md."})
public final class AgentCommand implements Callable<Integer> {
    @Mixin Output output;
    /** --stall-timeout and --on-stall, as for kernel load: how long a transition may run, and what then. */
    @Mixin StallOptions stall;
    @Mixin dev.klpfleet.cli.TrustOptions trust;
    @Spec CommandSpec spec;

    @Option(names = "--server", required = true, paramLabel = "URL", description = "The control plane, e.g. https://10.0.0.5:8440 (plain http:// only to loopback).")
    String server;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "Where the agent keeps its credential, its record of the patches it loaded, and downloaded artifacts.")
    Path data;

    @Option(names = "--public-key", required = true, paramLabel = "FILE",
            description = "The fleet's Ed25519 public key (klpfleet keys generate); artifacts not signed by it are refused.")
    Path publicKey;

    @Option(names = "--enroll-token", paramLabel = "TOKEN", description = "Enrollment token (klpe_...); used on the first run only.")
    String enrollToken;

    @Option(names = "--labels", paramLabel = "K=V[,K=V...]", split = ",", description = "Labels this host claims when it enrolls (first run only); kept apart from the enrollment token's binding labels.")
    List<String> labels = List.of();

    @Option(names = "--once", description = "Reconcile until nothing is left to do, print what was done, and exit.")
    boolean once;

    @Option(names = "--interval", paramLabel = "DURATION", converter = dev.klpfleet.cli.kernel.DurationConverter.class,
            description = "Check in this often while idle (5s..1h; default: as the server asks, 60 s).")
    java.time.Duration interval;

    @Option(names = "--metrics-textfile", paramLabel = "PATH",
            description = "Write the agent's state for node_exporter's textfile collector here after every pass (must end in .prom).")
    Path metricsTextfile;

    @Option(names = "--log-format", defaultValue = "text", paramLabel = "text|json",
            description = "text (default), or json: also log every step as one JSON object per line on stderr (fields: docs/OBSERVABILITY.md).")
    String logFormat;

    @Option(names = "--crash-window", paramLabel = "DURATION", defaultValue = "10m", converter = dev.klpfleet.cli.kernel.DurationConverter.class,
            description = "Crash-loop guard: a patch whose load never completed, or applied less than this before its boot "
                    + "went down (its last check-in), is reported crash-suspected and not loaded again until an operator clears it "
                    + "(klpfleet hosts clear-crash). Default ${DEFAULT-VALUE}.")
    java.time.Duration crashWindow;

    @Option(names = "--kernel-root", hidden = true, defaultValue = "/", description = "Where /sys and /proc are (fixture trees in tests).")
    Path kernelRoot;

    @Override
    public Integer call() throws InterruptedException {
        LogFormat format = LogFormat.parse(logFormat);
        format.apply();
        URI base = serverUri();
        if (crashWindow.isNegative() || crashWindow.isZero()) {
            throw new CommandFailure(ExitCodes.USAGE, "--crash-window must be positive, got " + crashWindow);
        }
        PublicKey key = fleetKey();
        Map<String, String> labelMap = labelMap();
        InstantSource clock = InstantSource.system();
        KernelRoot root = new KernelRoot(kernelRoot);
        ControlPlane plane = new ControlPlane(base, trust.trust().sslContext());
        Agent agent;
        try {
            Files.createDirectories(data);
            RandomGenerator random = RandomGenerator.getDefault();
            agent = new Agent(LiveKernel.at(root, clock, random, stall.loadOptions(false)), plane, new StateFile(data),
                    new ArtifactCache(data, plane, key), clock, Pause.REAL, random, crashWindow);
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--data " + data + ": " + e.getMessage());
        }
        if (interval != null) {
            if (interval.compareTo(dev.klpfleet.agent.reconcile.Requeue.MIN_INTERVAL) < 0
                    || interval.compareTo(dev.klpfleet.agent.reconcile.Requeue.MAX_INTERVAL) > 0) {
                throw new CommandFailure(ExitCodes.USAGE, "--interval must be between 5s and 1h, not " + interval.toSeconds() + "s");
            }
            agent.checkinInterval(interval);
        }
        Textfile textfile;
        try {
            textfile = metricsTextfile == null ? null : new Textfile(metricsTextfile);
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--metrics-textfile: " + e.getMessage());
        }
        String enrolledAs = enroll(agent, root, labelMap);
        PrintWriter out = spec.commandLine().getOut();
        if (!once) {
            if (enrolledAs != null && !output.json()) {
                out.println("enrolled as host " + enrolledAs + " at " + base);
            }
            agent.runForever(p -> {
                writeTextfile(textfile, agent, p, clock);
                if (format == LogFormat.JSON) {
                    StepLog.log(agent, p);
                }
                output.emit(out, p, x -> AgentReport.printPass(out, x));
                if (p.error() != null && p.error().equals("denied")) {
                    spec.commandLine().getErr().println("klpfleet: " + p.detail() + " (retrying with backoff)");
                }
            });
            return ExitCodes.OK;
        }
        List<Pass> passes = agent.runOnce();
        for (Pass p : passes) {
            writeTextfile(textfile, agent, p, clock);
            if (format == LogFormat.JSON) {
                StepLog.log(agent, p);
            }
        }
        OnceReport report = OnceReport.of(agent.state().hostId(), enrolledAs != null, passes);
        output.emit(out, report, r -> AgentReport.printOnce(out, r));
        return AgentReport.exitCode(report);
    }

    /** A textfile that cannot be written is reported and the agent goes on: metrics must never stop patching. */
    private void writeTextfile(Textfile textfile, Agent agent, Pass p, InstantSource clock) {
        if (textfile == null) {
            return;
        }
        try {
            textfile.passed(p, agent.state(), agent.kernelRelease(), agent.lastCheckinAt(), clock.instant());
        } catch (IOException e) {
            spec.commandLine().getErr().println("klpfleet: cannot write --metrics-textfile " + metricsTextfile + ": " + e.getMessage());
        }
    }

    private String enroll(Agent agent, KernelRoot root, Map<String, String> labelMap) throws InterruptedException {
        if (agent.state().enrolled()) {
            return null;
        }
        if (enrollToken == null || enrollToken.isBlank()) {
            throw new CommandFailure(ExitCodes.NOT_ENROLLED, "this host is not enrolled yet (no credential in " + data
                    + "): pass --enroll-token");
        }
        try {
            return agent.enrollIfNeeded(enrollToken, new Identity(HostFacts.hostname(root), HostFacts.distro(), labelMap));
        } catch (ControlPlaneException e) {
            throw new CommandFailure(switch (e.kind()) {
                case UNREACHABLE, SERVER, THROTTLED, UNEXPECTED -> ExitCodes.UNREACHABLE;
                case DENIED -> ExitCodes.DENIED;
                case REJECTED -> ExitCodes.BAD_INPUT;
            }, "enrollment failed: " + e.getMessage());
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.INTERNAL, "cannot save the credential in " + data + ": " + e.getMessage());
        }
    }

    private URI serverUri() {
        try {
            URI u = URI.create(server);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme()) || u.getHost() == null) {
                throw new IllegalArgumentException("not http(s)");
            }
        } catch (IllegalArgumentException e) {
            throw new CommandFailure(ExitCodes.USAGE, "--server must be an http(s) URL such as https://10.0.0.5:8440, not '" + server + "'");
        }
        return dev.klpfleet.cli.TrustOptions.allowed(URI.create(server));
    }

    private PublicKey fleetKey() {
        try {
            return SigningKeys.readPublic(Files.readString(publicKey));
        } catch (IOException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--public-key " + publicKey + ": cannot read (" + e.getMessage() + ")");
        } catch (MalformedArtifactException e) {
            throw new CommandFailure(ExitCodes.BAD_INPUT, "--public-key " + publicKey + ": " + e.getMessage());
        }
    }

    private Map<String, String> labelMap() {
        Map<String, String> m = new LinkedHashMap<>();
        for (String kv : labels) {
            int eq = kv.indexOf('=');
            if (eq <= 0) {
                throw new CommandFailure(ExitCodes.USAGE, "--labels takes KEY=VALUE pairs separated by commas, not '" + kv + "'");
            }
            m.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
        return m;
    }
}
