package dev.klpfleet.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.agent.artifact.ArtifactCache;
import dev.klpfleet.agent.artifact.Fetched;
import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.protocol.WireJson;
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
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.SignedManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The artifact cache after a crash: a torn copy is downloaded again from a real server on loopback, a bad download is refused. */
class ArtifactCacheTornTest {
    static final String RELEASE = "6.12.117+deb12-amd64";
    final SigningKey key = SigningKeys.generate();
    final byte[] module = "\u007fELF a livepatch module, as far as this cache can tell".getBytes(StandardCharsets.UTF_8);
    final String sha = Sha256.hex(module);
    final DesiredPatch want = new DesiredPatch("klp_torn", "1", sha, "klp_torn.ko", "r_1");
    @TempDir
    Path data;
    StubFleet fleet;
    ArtifactCache cache;

    @BeforeEach
    void serve() throws Exception {
        fleet = new StubFleet();
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, "klp_torn", "1", RELEASE, RELEASE + " SMP preempt mod_unload modversions",
                "klp_torn.ko", sha, module.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 1)))),
                true, 0, 4, List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "ok")),
                new BuildProvenance("builder", "0.1.0", "kbuild", "gcc 12", null, "2030-01-01T00:00:00Z"));
        byte[] manifest = ManifestJson.toBytes(m);
        byte[] sig = ArtifactSigner.sign(key, manifest, sha).toBytes();
        fleet.manifestJson = WireJson.mapper().writeValueAsString(new SignedManifest(Base64.getEncoder().encodeToString(manifest),
                Base64.getEncoder().encodeToString(sig)));
        fleet.artifacts.put(sha, module);
        cache = new ArtifactCache(data, new ControlPlane(fleet.uri()), key.publicKey());
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    Path cached(String file) {
        return data.resolve(ArtifactCache.DIR).resolve(sha).resolve(file);
    }

    @Test
    void aCachedModuleTruncatedByAPowerLossIsDownloadedAgainAndLoads() throws Exception {
        assertThat(cache.fetch(want, "klph_x", RELEASE)).isInstanceOf(Fetched.Ready.class);
        Files.write(cached("klp_torn.ko"), Arrays.copyOf(module, module.length / 2));

        Fetched again = cache.fetch(want, "klph_x", RELEASE);

        assertThat(again).as("torn, not tampered").isInstanceOf(Fetched.Ready.class);
        assertThat(fleet.artifactDownloads).containsExactly(sha, sha);
        assertThat(Files.readAllBytes(cached("klp_torn.ko"))).isEqualTo(module);
    }

    @Test
    void aCachedSignatureLeftEmptyIsDownloadedAgain() throws Exception {
        assertThat(cache.fetch(want, "klph_x", RELEASE)).isInstanceOf(Fetched.Ready.class);
        Files.write(cached("manifest.sig"), new byte[0]);

        assertThat(cache.fetch(want, "klph_x", RELEASE)).isInstanceOf(Fetched.Ready.class);
        assertThat(fleet.artifactDownloads).hasSize(2);
    }

    @Test
    void anIntactCachedCopyIsNotDownloadedAgain() throws Exception {
        cache.fetch(want, "klph_x", RELEASE);
        assertThat(cache.fetch(want, "klph_x", RELEASE)).isInstanceOf(Fetched.Ready.class);
        assertThat(fleet.artifactDownloads).containsExactly(sha);
    }

    @Test
    void aFreshDownloadThatDoesNotMatchIsRefusedAndNotCached() throws Exception {
        fleet.artifacts.put(sha, Arrays.copyOf(module, module.length - 1));

        Fetched f = cache.fetch(want, "klph_x", RELEASE);

        assertThat(f).isInstanceOfSatisfying(Fetched.Refused.class, r -> assertThat(r.reason()).isEqualTo("sha256-mismatch"));
        assertThat(data.resolve(ArtifactCache.DIR).resolve(sha)).doesNotExist();
    }
}
