package dev.klpfleet.kernel;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** Fixture kernel trees under src/test/resources/fixtures, copied to a temp dir when a test must change them. */
public final class Fixtures {
    private Fixtures() {}

    /**
     * A read-only hand-made fixture tree: {@code handmade-4.x} (a 4.x-style layout: debugfs tracing,
     * {@code signal}, no PSI, no per-object {@code patched}), {@code 6.1} or {@code 6.12}.
     */
    public static KernelRoot kernel(String layout) {
        try {
            return new KernelRoot(Path.of(Fixtures.class.getResource("/fixtures/" + layout).toURI()));
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A writable copy of a fixture tree in {@code dir}. */
    public static KernelRoot copy(String layout, Path dir) {
        Path src = kernel(layout).root();
        try (Stream<Path> all = Files.walk(src)) {
            for (Path p : (Iterable<Path>) all::iterator) {
                Path dst = dir.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dst);
                } else {
                    Files.copy(p, dst);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new KernelRoot(dir);
    }
}
