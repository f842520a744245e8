package dev.klpfleet.protocol.artifact;

/** Reads and writes {@code manifest.json} (docs/ARTIFACTS.md). */
public final class ManifestJson {
    private ManifestJson() {}

    /** The manifest's canonical bytes: the bytes that are written to disk and signed. */
    public static byte[] toBytes(BuildManifest manifest) {
        return ArtifactJson.write(manifest);
    }

    /**
     * Parses manifest bytes.
     *
     * @throws MalformedArtifactException if the bytes are not a {@value BuildManifest#FORMAT} manifest
     */
    public static BuildManifest fromBytes(byte[] bytes) {
        BuildManifest m = ArtifactJson.read(bytes, BuildManifest.class, "manifest");
        if (!BuildManifest.FORMAT.equals(m.format())) {
            throw new MalformedArtifactException("manifest format is '" + m.format() + "', expected " + BuildManifest.FORMAT);
        }
        return m;
    }
}
