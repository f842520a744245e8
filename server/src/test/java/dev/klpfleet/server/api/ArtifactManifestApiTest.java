package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.protocol.artifact.ArtifactVerifier;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.Verification;
import dev.klpfleet.protocol.fleet.SignedManifest;
import dev.klpfleet.server.patch.ArtifactUpload;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Agents verify artifacts themselves: the server hands out the manifest and signature byte for byte. */
class ArtifactManifestApiTest {
    static TestFleet fleet;

    @BeforeAll
    static void start() throws Exception {
        fleet = new TestFleet();
    }

    @AfterAll
    static void stop() {
        fleet.close();
    }

    @Test
    void aHostGetsTheUploadedManifestAndSignatureAndTheyVerifyAgainstTheFleetKey() throws Exception {
        ArtifactUpload up = fleet.artifact("klpf_manifest", "1", "6.12.0-1-amd64");
        String sha = fleet.admin.post("/api/v1/artifacts", up).json().path("sha256").asText();
        TestFleet.Host host = fleet.enroll("manifest-host", "6.12.0-1-amd64", Map.of());

        FleetClient.Answer a = host.api().get("/api/v1/artifacts/" + sha + "/manifest");

        assertThat(a.status()).isEqualTo(200);
        SignedManifest sm = a.as(SignedManifest.class);
        assertThat(sm.manifest()).isEqualTo(up.manifest());
        assertThat(sm.signature()).isEqualTo(up.signature());
        byte[] module = Base64.getDecoder().decode(up.module());
        Verification v = ArtifactVerifier.verify(fleet.key.publicKey(), Base64.getDecoder().decode(sm.manifest()),
                Base64.getDecoder().decode(sm.signature()), Sha256.hex(module), module.length);
        assertThat(v.verified()).isTrue();
    }

    @Test
    void anUnknownHashIsA404AndTheEndpointNeedsAToken() throws Exception {
        TestFleet.Host host = fleet.enroll("manifest-404", "6.12.0-1-amd64", Map.of());
        FleetClient.Answer missing = host.api().get("/api/v1/artifacts/" + "0".repeat(64) + "/manifest");
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.error()).startsWith("no artifact with sha256 ");
        assertThat(fleet.client(null).get("/api/v1/artifacts/" + "0".repeat(64) + "/manifest").status()).isEqualTo(401);
    }
}
