package dev.klpfleet.protocol.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.klpfleet.protocol.artifact.ArtifactSignature;
import dev.klpfleet.protocol.artifact.MalformedArtifactException;
import dev.klpfleet.protocol.artifact.ManifestJson;

/**
 * Coverage-guided fuzzing (Jazzer) of the build manifest and detached signature readers, which the server
 * and every agent run on uploaded bytes before any signature is checked: a value or a
 * {@link MalformedArtifactException}, nothing else. The last four bytes pick the reader; the committed inputs
 * are the manifest and signature of a real build of fix_cmdline for 6.1 and 6.12 ({@code ArtifactFilesFuzzTestInputs/}).
 */
class ArtifactFilesFuzzTest {
    @FuzzTest(maxDuration = "6s")
    void anyInput(FuzzedDataProvider in) {
        boolean manifest = in.consumeBoolean();
        byte[] data = in.consumeRemainingAsBytes();
        try {
            if (manifest) {
                ManifestJson.fromBytes(data);
            } else {
                ArtifactSignature.fromBytes(data);
            }
        } catch (MalformedArtifactException expected) {
            // The documented refusal.
        }
    }
}
