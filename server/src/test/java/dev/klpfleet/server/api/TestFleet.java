package dev.klpfleet.server.api;

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
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.storage.DatabaseLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/** A real server on a loopback port with a fleet signing key and a known admin token. */
final class TestFleet implements AutoCloseable {
    static final String ADMIN = "test-admin-token-0123456789abcdef0123456789";
    /** The name the server gives the token ADMIN registers. */
    static final String ADMIN_NAME = dev.klpfleet.server.access.AccessStore.BOOTSTRAP_NAME;
    final Path dir;
    final SigningKey key = SigningKeys.generate();
    final FleetServer server;
    final FleetClient admin;

    TestFleet(DatabaseLocation db) throws Exception {
        this(db, HttpLimits.DEFAULT);
    }

    TestFleet(DatabaseLocation db, HttpLimits limits) throws Exception {
        this(db, limits, null);
    }

    /** A fleet whose server also serves the web dashboard as {@code dashboard} says. */
    TestFleet(DatabaseLocation db, HttpLimits limits, dev.klpfleet.server.dashboard.DashboardOptions dashboard) throws Exception {
        dir = Files.createTempDirectory("klpfleet-server");
        Files.createDirectories(dir.resolve("keys"));
        Files.writeString(dir.resolve("keys/fleet.pub"), SigningKeys.publicPem(key.publicKey()));
        ServerConfig cfg = ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(ADMIN).withEngineTick(Duration.ofMillis(100))
                .withHttpLimits(limits);
        server = FleetServer.start(db == null ? cfg : cfg.withDatabase(db), dashboard);
        admin = client(ADMIN);
    }

    TestFleet() throws Exception {
        this(null);
    }

    FleetClient client(String token) {
        return new FleetClient(server.uri(), token);
    }

    String token(String name, String role) throws Exception {
        return admin.post("/api/v1/tokens", Map.of("name", name, "role", role)).json().path("token").asText();
    }

    /** Enrolls a host with an enrollment token carrying {@code labels} (binding) and returns a client acting with its credential. */
    Host enroll(String hostname, String kernel, Map<String, String> labels) throws Exception {
        return enroll(hostname, kernel, labels, Map.of());
    }

    /** Enrolls a host with a token carrying {@code tokenLabels} while the host itself claims {@code claimed}. */
    Host enroll(String hostname, String kernel, Map<String, String> tokenLabels, Map<String, String> claimed) throws Exception {
        String enrollToken = admin.post("/api/v1/enrollment-tokens", Map.of("name", "t-" + hostname, "labels", tokenLabels)).json()
                .path("token").asText();
        EnrollResponse r = client(enrollToken).post("/api/v1/enroll",
                new EnrollRequest(hostname, kernel, "debian 12", claimed, List.of("livepatch"))).as(EnrollResponse.class);
        return new Host(r.hostId(), client(r.credential()), kernel, r.credential());
    }

    record Host(String id, FleetClient api, String kernel, String credential) {
        /** The same host talking to another server of the fleet. */
        FleetClient viaServer(java.net.URI server) {
            return new FleetClient(server, credential);
        }

        FleetClient.Answer checkin(String etag) throws Exception {
            return api.postRaw("/api/v1/hosts/" + id + "/checkin", "{\"kernelRelease\":\"" + kernel + "\",\"loaded\":[],\"taint\":0}", etag);
        }

        /** Reports {@code result} with evidence a real agent recorded on a real kernel ({@link dev.klpfleet.server.rollout.Evidence}). */
        FleetClient.Answer report(String eventId, String kind, String patch, String version, String result) throws Exception {
            return report(eventId, kind, patch, version, result, dev.klpfleet.server.rollout.Evidence.forResult(result, kind.equals("unload")));
        }

        FleetClient.Answer report(String eventId, String kind, String patch, String version, String result,
                                  com.fasterxml.jackson.databind.JsonNode evidence) throws Exception {
            var event = new java.util.LinkedHashMap<String, Object>();
            event.put("eventId", eventId);
            event.put("kind", kind);
            event.put("patch", patch);
            event.put("version", version);
            event.put("result", result);
            event.put("evidence", evidence);
            return api.post("/api/v1/hosts/" + id + "/events", event);
        }

        /** Checks in listing {@code patch} {@code version} as loaded and enabled. */
        FleetClient.Answer checkinWith(String patch, String version) throws Exception {
            return api.postRaw("/api/v1/hosts/" + id + "/checkin", "{\"kernelRelease\":\"" + kernel + "\",\"loaded\":[{\"name\":\""
                    + patch + "\",\"version\":\"" + version + "\",\"state\":\"enabled\",\"sha256\":null}],\"taint\":0}", null);
        }
    }

    /** A signed build output of {@code patch} {@code version} for {@code kernel}, as `klpfleet build` writes it. */
    ArtifactUpload artifact(String patch, String version, String kernel) {
        return artifact(key, patch, version, kernel);
    }

    static ArtifactUpload artifact(SigningKey key, String patch, String version, String kernel) {
        return artifact(key, patch, version, kernel, patch + ".ko",
                ("\u007fELF livepatch " + patch + " " + version + " " + kernel).getBytes(StandardCharsets.UTF_8));
    }

    /** A signed build output naming {@code moduleFile} and carrying {@code module}'s bytes. */
    static ArtifactUpload artifact(SigningKey key, String patch, String version, String kernel, String moduleFile, byte[] module) {
        return artifact(key, patch, version, kernel, moduleFile, module, List.of("CVE-2030-0001"));
    }

    /** A signed build output whose manifest says it fixes {@code cves}, as {@code klpfleet build --cve} writes it. */
    ArtifactUpload artifact(String patch, String version, String kernel, List<String> cves) {
        return artifact(key, patch, version, kernel, patch + ".ko",
                ("\u007fELF livepatch " + patch + " " + version + " " + kernel).getBytes(StandardCharsets.UTF_8), cves);
    }

    static ArtifactUpload artifact(SigningKey key, String patch, String version, String kernel, String moduleFile, byte[] module,
                                   List<String> cves) {
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, patch, version, kernel, kernel + " SMP mod_unload", moduleFile,
                Sha256.hex(module), module.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 0)))),
                true, 0, 3, List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"), cves);
        byte[] manifest = ManifestJson.toBytes(m);
        byte[] sig = ArtifactSigner.sign(key, manifest, Sha256.hex(module)).toBytes();
        Base64.Encoder b = Base64.getEncoder();
        return new ArtifactUpload(b.encodeToString(manifest), b.encodeToString(sig), b.encodeToString(module), "fix " + patch, null);
    }

    @Override
    public void close() {
        server.close();
    }
}
