package dev.klpfleet.patchbuild.pipeline;

import dev.klpfleet.patchbuild.process.ProcessResult;
import dev.klpfleet.patchbuild.process.Processes;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The build host's tools, recorded in every manifest's provenance. */
final class Toolchain {
    private static final Duration VERSION_TIMEOUT = Duration.ofSeconds(10);

    private Toolchain() {}

    /** The first line of {@code gcc --version}, or "unknown" when gcc cannot run. */
    static String compiler() {
        try {
            ProcessResult r = Processes.run(List.of("gcc", "--version"), Path.of("."), Map.of("LC_ALL", "C"), VERSION_TIMEOUT);
            return r.succeeded() ? r.output().lines().findFirst().orElse("unknown") : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String klpfleetVersion() {
        String v = Toolchain.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}
