package dev.klpfleet.agent.artifact;

import dev.klpfleet.agent.controlplane.ControlPlane;
import dev.klpfleet.agent.controlplane.ControlPlaneException;
import dev.klpfleet.agent.state.Durable;
import dev.klpfleet.protocol.artifact.ArtifactVerifier;
import dev.klpfleet.protocol.artifact.BuildManifest;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.artifact.Verification;
import dev.klpfleet.protocol.fleet.DesiredPatch;
import dev.klpfleet.protocol.fleet.SignedManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.PublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts by SHA-256 under {@code DATA/artifacts/<sha256>/}: the module, {@code manifest.json} and
 * {@code manifest.sig}. An artifact is verified against the fleet's public key every time it is
 * handed out, also when it was downloaded before (the disk is not trusted more than the network),
 * and it must be exactly what the desired set asked for: that patch, that version, built for the
 * running kernel. The server is trusted for delivery only.
 *
 * <p>A cached copy that is torn (a file missing, or a module whose hash is not its directory's
 * name) is deleted and downloaded again; only a copy that is intact yet fails verification, or a
 * fresh download that fails it, is refused.
 */
public final class ArtifactCache {
    private static final Logger LOG = LoggerFactory.getLogger(ArtifactCache.class);
    public static final String DIR = "artifacts";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern MODULE_FILE = Pattern.compile("[A-Za-z0-9_.-]{1,200}\\.ko");

    private final Path dir;
    private final ControlPlane server;
    private final PublicKey fleetKey;

    public ArtifactCache(Path dataDir, ControlPlane server, PublicKey fleetKey) {
        this.dir = dataDir.resolve(DIR);
        this.server = server;
        this.fleetKey = fleetKey;
    }

    /**
     * Returns the verified module for {@code want}, downloading it first if it is not here yet.
     *
     * @param credential     the host credential for the download
     * @param runningRelease the running kernel's release; an artifact built for another is refused
     * @throws ControlPlaneException when the server cannot deliver it (worth retrying)
     * @throws IOException           when the data directory cannot be written
     */
    public Fetched fetch(DesiredPatch want, String credential, String runningRelease)
            throws ControlPlaneException, IOException, InterruptedException {
        if (!SHA256.matcher(want.sha256()).matches()) {
            return new Fetched.Refused("sha256-mismatch", "desired sha256 '" + want.sha256() + "' is not 64 lower-case hex digits");
        }
        Path here = dir.resolve(want.sha256());
        if (Files.exists(here)) {
            Optional<String> torn = torn(here, want.sha256());
            if (torn.isPresent()) {
                // A copy that no longer matches its own name was torn on disk (a crash, a power loss,
                // a bad sector): not evidence of tampering. It is replaced by a fresh download, which
                // is verified like any other.
                LOG.atWarn().addKeyValue("patch", want.patch()).addKeyValue("version", want.version()).addKeyValue("sha256", want.sha256())
                        .log("cached artifact {} is torn ({}); downloading it again", want.sha256(), torn.get());
                deleteTree(here);
            }
        }
        if (!Files.isRegularFile(here.resolve("manifest.sig"))) {
            byte[] module = server.artifact(credential, want.sha256());
            String sha = Sha256.hex(module);
            if (!sha.equals(want.sha256())) {
                return new Fetched.Refused("sha256-mismatch", "downloaded module has sha256 " + sha + ", desired " + want.sha256());
            }
            SignedManifest sm = server.signedManifest(credential, want.sha256());
            byte[] manifest;
            byte[] signature;
            try {
                manifest = Base64.getDecoder().decode(sm.manifest());
                signature = Base64.getDecoder().decode(sm.signature());
            } catch (IllegalArgumentException | NullPointerException e) {
                return new Fetched.Refused("signature_malformed", "server sent a manifest or signature that is not base64");
            }
            Fetched checked = check(want, manifest, signature, module, runningRelease);
            if (checked instanceof Fetched.Refused) {
                return checked;
            }
            store(here, ((Fetched.Ready) checked).manifest().moduleFile(), module, manifest, signature);
        }
        byte[] manifest = Files.readAllBytes(here.resolve("manifest.json"));
        byte[] signature = Files.readAllBytes(here.resolve("manifest.sig"));
        Path modulePath = here.resolve(moduleFileOf(here));
        Fetched checked = check(want, manifest, signature, Files.readAllBytes(modulePath), runningRelease);
        return checked instanceof Fetched.Ready r ? new Fetched.Ready(modulePath, r.manifest()) : checked;
    }

    private Fetched check(DesiredPatch want, byte[] manifest, byte[] signature, byte[] module, String runningRelease) {
        Verification v = ArtifactVerifier.verify(fleetKey, manifest, signature, Sha256.hex(module), module.length);
        if (v instanceof Verification.Refused r) {
            return new Fetched.Refused(r.reason().name().toLowerCase(Locale.ROOT), r.detail());
        }
        BuildManifest m = ((Verification.Verified) v).manifest();
        if (!m.patchName().equals(want.patch()) || !m.patchVersion().equals(want.version())) {
            return new Fetched.Refused("manifest-mismatch", "signed manifest is " + m.patchName() + " " + m.patchVersion()
                    + ", desired " + want.patch() + " " + want.version());
        }
        if (!m.kernelRelease().equals(runningRelease)) {
            return new Fetched.Refused("manifest-mismatch", "artifact was built for " + m.kernelRelease() + ", this host runs " + runningRelease);
        }
        if (!MODULE_FILE.matcher(m.moduleFile()).matches()) {
            return new Fetched.Refused("manifest-mismatch", "signed module file name '" + m.moduleFile() + "' is not a plain NAME.ko");
        }
        return new Fetched.Ready(null, m);
    }

    /**
     * Why the cached copy in {@code here} is not intact, or empty when it is: a file missing or
     * unreadable or empty, or a module whose SHA-256 is not the one the directory is named for. A copy that
     * is intact but fails verification is not torn: that is judged (and refused) as it stands.
     */
    private static Optional<String> torn(Path here, String sha256) {
        try {
            for (String f : List.of("manifest.json", "manifest.sig")) {
                if (!Files.isRegularFile(here.resolve(f))) {
                    return Optional.of(f + " is missing");
                }
                // What a file written but never forced becomes after a power loss on ext4 and xfs.
                if (Files.size(here.resolve(f)) == 0) {
                    return Optional.of(f + " is empty");
                }
            }
            Path module = here.resolve(moduleFileOf(here));
            String actual = Sha256.hex(Files.readAllBytes(module));
            return actual.equals(sha256) ? Optional.empty()
                    : Optional.of(module.getFileName() + " has sha256 " + actual + " (" + Files.size(module) + " bytes)");
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }

    /**
     * Writes the three files into a fresh directory, each forced to disk, forces that directory,
     * renames it into place and forces the cache directory ({@link Durable}): after a crash or a
     * power loss the artifact is either whole or absent.
     */
    private void store(Path here, String moduleFile, byte[] module, byte[] manifest, byte[] signature) throws IOException {
        Files.createDirectories(dir);
        Path tmp = Files.createTempDirectory(dir, ".download-");
        Durable.writeForced(tmp.resolve(moduleFile), module);
        Durable.writeForced(tmp.resolve("manifest.json"), manifest);
        Durable.writeForced(tmp.resolve("manifest.sig"), signature);
        Durable.forceDirectory(tmp);
        if (Files.exists(here)) {
            // a partial directory from an older klpfleet or a manual copy: replace it whole
            deleteTree(here);
        }
        Files.move(tmp, here, StandardCopyOption.ATOMIC_MOVE);
        Durable.forceDirectory(dir);
    }

    private static void deleteTree(Path here) throws IOException {
        try (var s = Files.list(here)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Files.delete(p);
            }
        }
        Files.delete(here);
    }

    private static String moduleFileOf(Path here) throws IOException {
        try (var s = Files.list(here)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> MODULE_FILE.matcher(n).matches()).findFirst()
                    .orElseThrow(() -> new IOException(here + " holds no module file"));
        }
    }
}
