package dev.klpfleet.agent.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** A Debian-packaged binary a test runs; missing, it skips the test, except under CI where it fails it. */
final class RealTool {
    private RealTool() {}

    static Path require(String name, String debianPackage) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        String why = name + " is not installed (apt-get install " + debianPackage + ", or run testbench/install-deps)";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            throw new AssertionError(why + "; CI=true, so this test fails instead of skipping");
        }
        Assumptions.abort(why);
        return null;
    }
}
