package dev.klpfleet.protocol.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.klpfleet.protocol.artifact.Verification.Reason;
import dev.klpfleet.protocol.artifact.Verification.Refused;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArtifactSignatureTest {
    private static final SigningKey KEY = SigningKeys.generate();
    private static final byte[] MODULE = "\u007fELF pretend module bytes".getBytes(StandardCharsets.ISO_8859_1);

    static BuildManifest manifest(byte[] module) {
        return new BuildManifest(BuildManifest.FORMAT, "fix_cmdline", "1.0", "6.12.117+deb12-amd64",
                "6.12.117+deb12-amd64 SMP preempt mod_unload modversions ", "fix_cmdline.ko", Sha256.hex(module),
                module.length,
                List.of(new PatchedObject("vmlinux", List.of(new PatchedFunc("cmdline_proc_show", 0)))),
                true, 0, 3,
                List.of(new LintVerdict("symbol-exists", LintLevel.PASS, "cmdline_proc_show is in vmlinux")),
                new BuildProvenance("builder1", "0.1.0", "kbuild", "gcc 12.2.0", null, "2025-11-28T10:00:00Z"));
    }

    private final byte[] manifestBytes = ManifestJson.toBytes(manifest(MODULE));
    private final byte[] sigBytes = ArtifactSigner.sign(KEY, manifestBytes, Sha256.hex(MODULE)).toBytes();

    private Verification verify(byte[] manifest, byte[] sig, byte[] module) {
        return ArtifactVerifier.verify(KEY.publicKey(), manifest, sig, Sha256.hex(module), module.length);
    }

    @Test
    void an_untouched_artifact_verifies_and_yields_its_manifest() {
        Verification v = verify(manifestBytes, sigBytes, MODULE);
        assertThat(v).isInstanceOf(Verification.Verified.class);
        assertThat(((Verification.Verified) v).manifest()).isEqualTo(manifest(MODULE));
    }

    @Test
    void a_changed_module_is_refused_as_module_tampered() {
        byte[] evil = MODULE.clone();
        evil[5] ^= 1;
        assertThat(verify(manifestBytes, sigBytes, evil)).extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.MODULE_TAMPERED);
    }

    @Test
    void a_changed_manifest_is_refused_as_manifest_tampered() {
        String text = new String(manifestBytes, StandardCharsets.UTF_8).replace("\"replace\" : true", "\"replace\" : false");
        assertThat(text).isNotEqualTo(new String(manifestBytes, StandardCharsets.UTF_8));
        assertThat(verify(text.getBytes(StandardCharsets.UTF_8), sigBytes, MODULE))
                .extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.MANIFEST_TAMPERED);
    }

    @Test
    void a_manifest_changed_together_with_the_recorded_hash_is_refused_by_the_signature() {
        String text = new String(manifestBytes, StandardCharsets.UTF_8).replace("\"1.0\"", "\"2.0\"");
        byte[] forged = text.getBytes(StandardCharsets.UTF_8);
        ArtifactSignature s = ArtifactSignature.fromBytes(sigBytes);
        byte[] forgedSig = new ArtifactSignature(s.format(), s.algorithm(), s.keyId(), Sha256.hex(forged),
                s.moduleSha256(), s.signature()).toBytes();
        assertThat(verify(forged, forgedSig, MODULE)).extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    }

    @Test
    void a_flipped_signature_bit_is_refused_as_signature_invalid() {
        ArtifactSignature s = ArtifactSignature.fromBytes(sigBytes);
        byte[] raw = java.util.Base64.getDecoder().decode(s.signature());
        raw[0] ^= 1;
        byte[] bad = new ArtifactSignature(s.format(), s.algorithm(), s.keyId(), s.manifestSha256(), s.moduleSha256(),
                java.util.Base64.getEncoder().encodeToString(raw)).toBytes();
        assertThat(verify(manifestBytes, bad, MODULE)).extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.SIGNATURE_INVALID);
    }

    @Test
    void a_signature_by_another_key_is_refused_as_untrusted() {
        byte[] other = ArtifactSigner.sign(SigningKeys.generate(), manifestBytes, Sha256.hex(MODULE)).toBytes();
        assertThat(verify(manifestBytes, other, MODULE)).extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.UNTRUSTED_KEY);
    }

    @Test
    void garbage_in_place_of_a_signature_is_refused_as_malformed() {
        assertThat(verify(manifestBytes, "not json".getBytes(StandardCharsets.UTF_8), MODULE))
                .extracting(r -> ((Refused) r).reason()).isEqualTo(Reason.SIGNATURE_MALFORMED);
    }

    @Test
    void keys_survive_a_round_trip_through_their_pem_files() {
        SigningKey back = SigningKeys.readPrivate(SigningKeys.privatePem(KEY));
        assertThat(back.keyId()).isEqualTo(KEY.keyId());
        assertThat(SigningKeys.keyId(SigningKeys.readPublic(SigningKeys.publicPem(KEY.publicKey())))).isEqualTo(KEY.keyId());
        byte[] sig = ArtifactSigner.sign(back, manifestBytes, Sha256.hex(MODULE)).toBytes();
        assertThat(verify(manifestBytes, sig, MODULE).verified()).isTrue();
    }

    @Test
    void a_public_key_file_is_not_a_private_key() {
        assertThatThrownBy(() -> SigningKeys.readPrivate(SigningKeys.publicPem(KEY.publicKey())))
                .isInstanceOf(MalformedArtifactException.class).hasMessageContaining("PRIVATE KEY");
    }

    @Test
    void a_manifest_of_another_format_is_refused() {
        String text = new String(manifestBytes, StandardCharsets.UTF_8).replace(BuildManifest.FORMAT, "klpfleet-manifest-v9");
        assertThatThrownBy(() -> ManifestJson.fromBytes(text.getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(MalformedArtifactException.class).hasMessageContaining("klpfleet-manifest-v9");
    }

    @Test
    void the_manifest_json_uses_lowercase_lint_levels_and_record_field_names() {
        String text = new String(manifestBytes, StandardCharsets.UTF_8);
        assertThat(text).contains("\"level\" : \"pass\"", "\"patchName\" : \"fix_cmdline\"", "\"sympos\" : 0");
        assertThat(text).endsWith("}\n").doesNotContain("\"vmlinux\" : true");
    }
}
