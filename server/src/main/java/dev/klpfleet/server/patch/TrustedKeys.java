package dev.klpfleet.server.patch;

import dev.klpfleet.protocol.artifact.ArtifactSignature;
import dev.klpfleet.protocol.artifact.ArtifactVerifier;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import dev.klpfleet.protocol.artifact.SigningKeys;
import dev.klpfleet.protocol.artifact.Verification;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** The fleet's trusted build-signing public keys, by key id; an artifact verifies against the one its signature names. */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    public TrustedKeys(List<PublicKey> keys) {
        Map<String, PublicKey> m = new TreeMap<>();
        for (PublicKey k : keys) {
            m.put(SigningKeys.keyId(k), k);
        }
        this.byId = Map.copyOf(m);
    }

    /**
     * Reads every {@code *.pub} in {@code dir} (absent directory: no keys) plus the given files.
     *
     * @throws IllegalArgumentException naming the file that is not an Ed25519 public key
     */
    public static TrustedKeys load(Path dir, List<Path> files) {
        List<Path> all = new ArrayList<>(files);
        if (Files.isDirectory(dir)) {
            try (Stream<Path> s = Files.list(dir)) {
                s.filter(p -> p.getFileName().toString().endsWith(".pub")).sorted().forEach(all::add);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list trusted keys in " + dir, e);
            }
        }
        List<PublicKey> keys = new ArrayList<>();
        for (Path p : all) {
            try {
                keys.add(SigningKeys.readPublic(Files.readString(p)));
            } catch (IOException | MalformedArtifactException e) {
                throw new IllegalArgumentException("trusted key " + p + " is unusable: " + e.getMessage(), e);
            }
        }
        return new TrustedKeys(keys);
    }

    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** Verifies an artifact against the trusted key its signature names; refuses an unknown key. */
    public Verification verify(byte[] manifest, byte[] signature, String moduleSha256, long moduleSize) {
        String keyId;
        try {
            keyId = ArtifactSignature.fromBytes(signature).keyId();
        } catch (MalformedArtifactException e) {
            return new Verification.Refused(Verification.Reason.SIGNATURE_MALFORMED, e.getMessage());
        }
        PublicKey key = byId.get(keyId);
        if (key == null) {
            return new Verification.Refused(Verification.Reason.UNTRUSTED_KEY,
                    "signed by key " + keyId + ", which is not among the fleet's trusted keys " + byId.keySet());
        }
        return ArtifactVerifier.verify(key, manifest, signature, moduleSha256, moduleSize);
    }
}
