package dev.klpfleet.testbench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the {@code testbench/} directory, which holds the scripts ({@code vm-run},
 * {@code kernel-release}, {@code build-module}) and the test module sources.
 *
 * <p>The directory is the system property {@code klpfleet.testbench} (set by this module's
 * surefire configuration) or else the first {@code testbench/} with a {@code vm-run} script found
 * walking up from the working directory.
 */
public final class Testbench {
    /** System property naming the testbench directory. */
    public static final String DIR_PROPERTY = "klpfleet.testbench";

    private Testbench() {
    }

    /**
     * Returns the absolute testbench directory.
     *
     * @throws TestbenchException if neither the property nor the search finds a directory with {@code vm-run}
     */
    public static Path dir() {
        String configured = System.getProperty(DIR_PROPERTY);
        if (configured != null && !configured.isBlank()) {
            Path dir = Path.of(configured).toAbsolutePath().normalize();
            if (!Files.isExecutable(dir.resolve("vm-run"))) {
                throw new TestbenchException(DIR_PROPERTY + "=" + configured + " has no executable vm-run");
            }
            return dir;
        }
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            for (Path candidate : new Path[] {at, at.resolve("testbench")}) {
                if (Files.isExecutable(candidate.resolve("vm-run")) && Files.isDirectory(candidate.resolve("modules"))) {
                    return candidate.normalize();
                }
            }
        }
        throw new TestbenchException("cannot find the testbench directory: set -D" + DIR_PROPERTY + "=PATH");
    }

    /** Returns the path of a script in the testbench directory, e.g. {@code script("vm-run")}. */
    public static Path script(String name) {
        return dir().resolve(name);
    }

    /** Returns the directory holding one subdirectory of sources per test module. */
    public static Path moduleSources() {
        return dir().resolve("modules");
    }
}
