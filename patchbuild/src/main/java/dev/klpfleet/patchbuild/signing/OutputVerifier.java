package dev.klpfleet.patchbuild.signing;

import dev.klpfleet.patchbuild.pipeline.ArtifactFiles;
import dev.klpfleet.protocol.artifact.ArtifactVerifier;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import dev.klpfleet.protocol.artifact.ManifestJson;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.Verification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Checks a {@code klpfleet build} output: either one release directory (holding manifest.json)
 * or the whole output directory (every subdirectory holding a manifest.json or build.log).
 */
public final class OutputVerifier {
    private OutputVerifier() {}

    /**
     * One release directory's verdict.
     *
     * @param directory the release directory
     * @param verdict   {@code verified}, or the refusal reason in lower case ({@code module_tampered}, ...)
     * @param detail    one line
     * @param module    the module file verified, or null
     */
    public record Checked(String directory, String verdict, String detail, String module) {
        public boolean verified() {
            return "verified".equals(verdict);
        }
    }

    /** @throws IOException if {@code dir} cannot be listed */
    public static List<Checked> verify(PublicKey trusted, Path dir) throws IOException {
        if (Files.isRegularFile(dir.resolve(ArtifactFiles.MANIFEST))) {
            return List.of(verifyOne(trusted, dir));
        }
        List<Checked> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList()) {
                if (Files.exists(p.resolve(ArtifactFiles.MANIFEST)) || Files.exists(p.resolve(ArtifactFiles.LOG))) {
                    out.add(verifyOne(trusted, p));
                }
            }
        }
        return out;
    }

    static Checked verifyOne(PublicKey trusted, Path dir) {
        String d = dir.toString();
        try {
            Path manifestFile = dir.resolve(ArtifactFiles.MANIFEST);
            if (!Files.isRegularFile(manifestFile)) {
                return new Checked(d, "not_built", "no manifest.json: the build failed (see build.log)", null);
            }
            byte[] manifestBytes = Files.readAllBytes(manifestFile);
            Path sig = dir.resolve(ArtifactFiles.SIGNATURE);
            if (!Files.isRegularFile(sig)) {
                return new Checked(d, "unsigned", "no manifest.sig: built without --key, or a lint failed", null);
            }
            String moduleFile;
            try {
                moduleFile = ManifestJson.fromBytes(manifestBytes).moduleFile();
            } catch (MalformedArtifactException e) {
                moduleFile = null; // the signature check below names the real problem
            }
            Path module = moduleFile == null || moduleFile.contains("/") ? null : dir.resolve(moduleFile);
            String moduleSha = module != null && Files.isRegularFile(module) ? Sha256.hex(module) : "absent";
            long size = module != null && Files.isRegularFile(module) ? Files.size(module) : -1;
            Verification v = ArtifactVerifier.verify(trusted, manifestBytes, Files.readAllBytes(sig), moduleSha, size);
            if (v instanceof Verification.Verified ok) {
                return new Checked(d, "verified", "signed by key " + ok.keyId() + ", " + ok.manifest().patchName() + " "
                        + ok.manifest().patchVersion() + " for " + ok.manifest().kernelRelease(), moduleFile);
            }
            Verification.Refused r = (Verification.Refused) v;
            return new Checked(d, r.reason().name().toLowerCase(java.util.Locale.ROOT),
                    "absent".equals(moduleSha) && r.reason() == Verification.Reason.MODULE_TAMPERED
                            ? "module " + moduleFile + " is missing" : r.detail(), moduleFile);
        } catch (IOException e) {
            return new Checked(d, "unreadable", e.getMessage(), null);
        }
    }
}
