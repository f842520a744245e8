package dev.klpfleet.kernel.module;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The committed .ko fixtures (built by src/test/fixtures-src/rebuild.sh), one directory per kernel release. */
final class Fixtures {

    static final String K61 = "6.1.0-56-amd64";
    static final String K612 = "6.12.117+deb12-amd64";
    static final List<String> RELEASES = List.of(K61, K612);
    static final List<String> MODULES = List.of("klp_single", "klp_multi", "klp_callbacks", "klp_single_stripped", "plain_mod");

    private Fixtures() {}

    static Path path(String release, String module) {
        Path p = Path.of("src/test/resources/modules", release, module + ".ko");
        if (!Files.isRegularFile(p)) {
            throw new IllegalStateException("missing fixture " + p + "; run src/test/fixtures-src/rebuild.sh");
        }
        return p;
    }

    static byte[] bytes(String release, String module) {
        try {
            return Files.readAllBytes(path(release, module));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
