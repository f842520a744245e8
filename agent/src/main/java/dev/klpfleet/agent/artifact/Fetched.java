package dev.klpfleet.agent.artifact;

import dev.klpfleet.protocol.artifact.BuildManifest;
import java.nio.file.Path;

/** The outcome of fetching one desired artifact. */
public sealed interface Fetched {

    /** The module at {@code module} verified against the fleet key just now, with its signed manifest. */
    record Ready(Path module, BuildManifest manifest) implements Fetched {}

    /**
     * Not loadable; nothing was loaded.
     *
     * @param reason a stable token: {@code sha256-mismatch}, {@code manifest-mismatch}, or an
     *               {@code ArtifactVerifier} reason in lower case ({@code signature_invalid}, {@code untrusted_key}, …)
     * @param detail one line naming what is wrong
     */
    record Refused(String reason, String detail) implements Fetched {}
}
