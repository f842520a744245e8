package dev.klpfleet.cli.fleet;

import com.fasterxml.jackson.databind.JsonNode;
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
import dev.klpfleet.server.api.FleetClient;
import dev.klpfleet.server.patch.ArtifactUpload;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Hosts that behave as agents do, through the real API only: they check in, apply what their
 * desired set names by reporting an {@code applied} event once (by a stable event id, so a report
 * repeated after a server crash is recorded once), and list the patch as loaded from then on.
 */
final class SimulatedFleet {
    final SigningKey key = SigningKeys.generate();
    final List<Host> hosts = new ArrayList<>();
    /** Host id to the patch@version it applied. */
    final Map<String, String> applied = new HashMap<>();
    /** Every host id that any server told to apply something. */
    final Set<String> toldToApply = new HashSet<>();
    /** Check-ins each server answered with 200 or 304, by its URI. */
    final Map<URI, Integer> answered = new HashMap<>();

    record Host(String id, String credential, String kernel) {}

    private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newBuilder()
            .version(java.net.http.HttpClient.Version.HTTP_1_1).sslContext(ServerProcess.CERT.trust().sslContext()).build();

    /** Writes the fleet's public key where {@code klpfleet server --data DIR} trusts it. */
    void trustIn(Path dataDir) throws IOException {
        Files.createDirectories(dataDir.resolve("keys"));
        Files.writeString(dataDir.resolve("keys/fleet.pub"), SigningKeys.publicPem(key.publicKey()));
    }

    void enroll(FleetClient admin, int n, String kernel, Map<String, String> labels) throws Exception {
        String token = admin.post("/api/v1/enrollment-tokens", Map.of("name", "sim-" + hosts.size(), "labels", labels)).json().path("token").asText();
        FleetClient enroller = new FleetClient(HTTP, admin.base(), token);
        for (int i = 0; i < n; i++) {
            EnrollResponse r = enroller.post("/api/v1/enroll", new EnrollRequest("sim-" + hosts.size(), kernel, "debian 12", labels,
                    List.of("livepatch"))).as(EnrollResponse.class);
            hosts.add(new Host(r.hostId(), r.credential(), kernel));
        }
    }

    /**
     * One check-in of every host, the {@code i}-th host talking to {@code servers[i % servers.length]};
     * a host told to apply something new reports it applied. Returns how many apply events were sent.
     */
    int round(URI... servers) throws Exception {
        int reported = 0;
        for (int i = 0; i < hosts.size(); i++) {
            Host h = hosts.get(i);
            URI server = servers[i % servers.length];
            // One HTTP client for the whole simulation, as each real agent keeps one: a client per check-in would
            // leave a kept-alive connection behind each time, past the server's connections per address.
            FleetClient api = new FleetClient(HTTP, server, h.credential());
            String had = applied.get(h.id());
            String loaded = had == null ? "[]" : "[{\"name\":\"" + had.split("@")[0] + "\",\"version\":\"" + had.split("@")[1]
                    + "\",\"state\":\"enabled\",\"sha256\":null}]";
            FleetClient.Answer a = api.postRaw("/api/v1/hosts/" + h.id() + "/checkin",
                    "{\"kernelRelease\":\"" + h.kernel() + "\",\"loaded\":" + loaded + ",\"taint\":0}", null);
            if (a.status() != 200) {
                throw new IllegalStateException("check-in of " + h.id() + " at " + server + " answered " + a.status() + ": " + a.body());
            }
            answered.merge(server, 1, Integer::sum);
            for (JsonNode d : a.json().path("desired")) {
                String want = d.path("patch").asText() + "@" + d.path("version").asText();
                toldToApply.add(h.id());
                if (!want.equals(had)) {
                    FleetClient.Answer e = api.postRaw("/api/v1/hosts/" + h.id() + "/events", "{\"eventId\":\"apply-" + want
                            + "\",\"kind\":\"apply\",\"patch\":\"" + d.path("patch").asText() + "\",\"version\":\""
                            + d.path("version").asText() + "\",\"result\":\"applied\",\"evidence\":{\"result\":\"applied\"}}", null);
                    if (e.status() != 201 && e.status() != 409) {
                        throw new IllegalStateException("event of " + h.id() + " answered " + e.status() + ": " + e.body());
                    }
                    applied.put(h.id(), want);
                    reported++;
                }
            }
        }
        return reported;
    }

    /** A signed build output of {@code patch} {@code version} for {@code kernel}, laid out as `klpfleet build` writes it. */
    ArtifactUpload artifact(String patch, String version, String kernel) {
        byte[] module = ("\u007fELF livepatch " + patch + " " + version + " " + kernel).getBytes(StandardCharsets.UTF_8);
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, patch, version, kernel, kernel + " SMP mod_unload", patch + ".ko",
                Sha256.hex(module), module.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 0)))),
                true, 0, 3, List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"));
        byte[] manifest = ManifestJson.toBytes(m);
        byte[] sig = ArtifactSigner.sign(key, manifest, Sha256.hex(module)).toBytes();
        Base64.Encoder b = Base64.getEncoder();
        return new ArtifactUpload(b.encodeToString(manifest), b.encodeToString(sig), b.encodeToString(module), "fix " + patch, List.of());
    }

    /** A plan of {@code waves} (each a JSON-able wave map) with short soak, for tests. */
    static Map<String, Object> plan(List<Map<String, Object>> waves, String soak, int maxConcurrent) {
        return Map.of("waves", waves, "soak", soak, "maxConcurrent", maxConcurrent,
                "gates", Map.of("maxFailureRate", 0.0, "maxStallRate", 0.0, "silenceAfterApply", "PT10M", "impactMax", Map.of(),
                        "action", "PAUSE"));
    }
}
