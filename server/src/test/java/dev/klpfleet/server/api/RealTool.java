package dev.klpfleet.server.api;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/** A Debian-packaged binary a test runs; missing, it skips the test, except under CI where it fails it. */
final class RealTool {
    private RealTool() {}

    /** packaging/prometheus of this checkout, found from the module directory the tests run in. */
    static Path packaging() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("packaging/prometheus"))) {
                return d.resolve("packaging/prometheus");
            }
        }
        throw new AssertionError("no packaging/prometheus above " + Path.of("").toAbsolutePath());
    }

    /** A free loopback port (closed again, so the tool can bind it). */
    static int freePort() throws java.io.IOException {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

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
