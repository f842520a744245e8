package dev.klpfleet.cli.agent;

import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.SigningKey;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.tls.Tls;
import dev.klpfleet.protocol.transport.ServerTrust;
import dev.klpfleet.agent.controlplane.ControlPlane;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * A real klpfleet server on a loopback port, with a fleet signing key, driven as an operator would. It serves
 * TLS with the certificate it generates for itself, as {@code klpfleet server} does by default; agents pin its fingerprint.
 */
final class FleetOnLoopback implements AutoCloseable {
    static final String ADMIN = "agent-test-admin-token-0123456789";
    /** Bound on waiting for the rollout engine (it ticks every 100 ms here). */
    static final Duration ENGINE_WAIT = Duration.ofSeconds(20);

    final Path dir;
    final SigningKey key = SigningKeys.generate();
    final FleetServer server;
    final FleetClient admin;

    FleetOnLoopback() throws Exception {
        dir = Files.createTempDirectory("klpfleet-agent-server");
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/fleet.pub"), SigningKeys.publicPem(key.publicKey()));
        server = FleetServer.start(ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(ADMIN).withEngineTick(Duration.ofMillis(100))
                .withTls(new Tls.SelfSigned()));
        admin = new FleetClient(server.uri(), ADMIN, trust());
    }

    String url() {
        return server.uri().toString();
    }

    /** The server's certificate fingerprint, as {@code klpfleet server} prints it. */
    String fingerprint() {
        return server.fingerprint().orElseThrow().toString();
    }

    ServerTrust trust() {
        return new ServerTrust.Pinned(server.fingerprint().orElseThrow());
    }

    /** A control-plane client of the agent that pins this server's certificate. */
    ControlPlane controlPlane() {
        return new ControlPlane(server.uri(), trust().sslContext());
    }

    /** An enrollment token whose hosts get the binding label test={@code testLabel}, which {@link #rollout} selects on. */
    String enrollmentToken(String testLabel) throws Exception {
        return admin.post("/api/v1/enrollment-tokens", Map.of("name", "agent-test", "labels", Map.of("test", testLabel))).json().path("token").asText();
    }

    /** Uploads {@code module} as {@code patch} {@code version} built for {@code release}, signed by the fleet key. */
    void upload(byte[] module, String patch, String version, String release) throws Exception {
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, patch, version, release, release + " SMP preempt mod_unload modversions",
                patch + ".ko", Sha256.hex(module), module.length,
                List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 2)))), true, 0, 4,
                List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"));
        byte[] manifest = ManifestJson.toBytes(m);
        byte[] sig = ArtifactSigner.sign(key, manifest, Sha256.hex(module)).toBytes();
        Base64.Encoder b = Base64.getEncoder();
        FleetClient.Answer a = admin.post("/api/v1/artifacts", new ArtifactUpload(b.encodeToString(manifest), b.encodeToString(sig),
                b.encodeToString(module), "test patch", List.of()));
        if (a.status() != 201) {
            throw new IllegalStateException("upload refused: " + a.body());
        }
    }

    /** Rolls {@code patch} {@code version} out, with the default plan, to the hosts labelled {@code test=<testLabel>}. */
    String rollout(String patch, String version, String testLabel) throws Exception {
        FleetClient.Answer a = admin.post("/api/v1/rollouts", Map.of("patch", patch, "version", version,
                "selector", Map.of("labels", Map.of("test", testLabel), "kernelReleases", List.of())));
        if (a.status() != 201) {
            throw new IllegalStateException("rollout refused: " + a.body());
        }
        return a.json().path("id").asText();
    }

    FleetClient.Answer rollback(String id) throws Exception {
        return admin.post("/api/v1/rollouts/" + id + "/rollback", Map.of("reason", "test"));
    }

    /** The rollout's view once {@code until} holds, polled within {@link #ENGINE_WAIT}. */
    com.fasterxml.jackson.databind.JsonNode rolloutWhen(String id, Predicate<com.fasterxml.jackson.databind.JsonNode> until) throws Exception {
        Instant deadline = Instant.now().plus(ENGINE_WAIT);
        com.fasterxml.jackson.databind.JsonNode v = admin.get("/api/v1/rollouts/" + id).json();
        while (!until.test(v) && Instant.now().isBefore(deadline)) {
            Thread.sleep(50);
            v = admin.get("/api/v1/rollouts/" + id).json();
        }
        return v;
    }

    @Override
    public void close() {
        server.close();
    }
}
