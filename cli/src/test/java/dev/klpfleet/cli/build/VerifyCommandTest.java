package dev.klpfleet.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.protocol.artifact.ArtifactSigner;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.BuildProvenance;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.patchbuild.signing.KeyFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code klpfleet keys generate} and {@code klpfleet verify} on a build output laid out as the pipeline writes it. */
class VerifyCommandTest {
    @TempDir Path tmp;
    Path out;
    Path release;

    @BeforeEach
    void signedOutput() throws Exception {
        assertThat(run("keys", "generate", "--out", tmp.resolve("rel").toString())).isEqualTo(ExitCodes.OK);
        out = tmp.resolve("out");
        release = Files.createDirectories(out.resolve("6.12.117+deb12-amd64"));
        byte[] ko = "\u007fELF not really a module".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(release.resolve("fix.ko"), ko);
        BuildManifest m = new BuildManifest(BuildManifest.FORMAT, "fix", "1", "6.12.117+deb12-amd64", "6.12.117+deb12-amd64 SMP",
                "fix.ko", Sha256.hex(ko), ko.length, List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("f", 0)))),
                true, 0, 1, List.of(), new BuildProvenance("h", "dev", "kbuild", "gcc", null, "2025-11-28T00:00:00Z"));
        byte[] manifest = ManifestJson.toBytes(m);
        Files.write(release.resolve("manifest.json"), manifest);
        Files.write(release.resolve("manifest.sig"),
                ArtifactSigner.sign(KeyFiles.readPrivate(tmp.resolve("rel.key")), manifest, Sha256.hex(ko)).toBytes());
    }

    int run(String... args) {
        PrintStream saved = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return Main.run(args);
        } finally {
            System.setOut(saved);
            lastOutput = buf.toString(StandardCharsets.UTF_8);
        }
    }

    String lastOutput;

    int verify() {
        return run("verify", out.toString(), "--public-key", tmp.resolve("rel.pub").toString());
    }

    @Test
    void the_private_key_file_is_readable_by_its_owner_only() throws Exception {
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp.resolve("rel.key")))).isEqualTo("rw-------");
    }

    @Test
    void generating_over_an_existing_key_is_refused() {
        assertThat(run("keys", "generate", "--out", tmp.resolve("rel").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    }

    @Test
    void an_untouched_output_verifies() {
        assertThat(verify()).isEqualTo(ExitCodes.OK);
        assertThat(lastOutput).contains("verified", "all artifacts verified");
    }

    @Test
    void a_tampered_module_is_refused_with_the_verify_exit_code() throws Exception {
        Files.writeString(release.resolve("fix.ko"), "evil", StandardCharsets.ISO_8859_1);
        assertThat(verify()).isEqualTo(ExitCodes.VERIFY_REFUSED);
        assertThat(lastOutput).contains("module_tampered");
    }

    @Test
    void a_tampered_manifest_is_refused() throws Exception {
        String m = Files.readString(release.resolve("manifest.json")).replace("\"replace\" : true", "\"replace\" : false");
        Files.writeString(release.resolve("manifest.json"), m);
        assertThat(verify()).isEqualTo(ExitCodes.VERIFY_REFUSED);
        assertThat(lastOutput).contains("manifest_tampered");
    }

    @Test
    void a_tampered_signature_is_refused() throws Exception {
        String s = Files.readString(release.resolve("manifest.sig"));
        int at = s.indexOf("\"signature\" : \"") + 15;
        char c = s.charAt(at);
        Files.writeString(release.resolve("manifest.sig"), s.substring(0, at) + (c == 'A' ? 'B' : 'A') + s.substring(at + 1));
        assertThat(verify()).isEqualTo(ExitCodes.VERIFY_REFUSED);
        assertThat(lastOutput).contains("signature_invalid");
    }

    @Test
    void a_missing_signature_is_refused_as_unsigned() throws Exception {
        Files.delete(release.resolve("manifest.sig"));
        assertThat(verify()).isEqualTo(ExitCodes.VERIFY_REFUSED);
        assertThat(lastOutput).contains("unsigned");
    }

    @Test
    void another_key_is_refused_as_untrusted() {
        assertThat(run("keys", "generate", "--out", tmp.resolve("other").toString())).isEqualTo(ExitCodes.OK);
        assertThat(run("verify", out.toString(), "--public-key", tmp.resolve("other.pub").toString())).isEqualTo(ExitCodes.VERIFY_REFUSED);
        assertThat(lastOutput).contains("untrusted_key");
    }

    @Test
    void a_directory_without_build_output_is_bad_input() throws Exception {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertThat(run("verify", empty.toString(), "--public-key", tmp.resolve("rel.pub").toString())).isEqualTo(ExitCodes.BAD_INPUT);
    }
}
