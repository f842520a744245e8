package dev.klpfleet.patchbuild.release;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the files describing one installed kernel release live on the build host. Paths follow
 * Debian's packages: headers in {@code /usr/src/linux-headers-R} (linked from
 * {@code /lib/modules/R/build}), modules and their index in {@code /lib/modules/R}, the config
 * and System.map in {@code /boot}.
 */
public record ReleaseFiles(KernelRoot root, KernelRelease release) {

    /** Releases whose headers are installed, newest first: the ones a module can be built for here. */
    public static List<KernelRelease> installedHeaders(KernelRoot root) {
        Path src = root.path("/usr/src");
        if (!Files.isDirectory(src)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(src)) {
            return dirs.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("linux-headers-"))
                    .map(n -> n.substring("linux-headers-".length()))
                    .filter(r -> Files.isRegularFile(src.resolve("linux-headers-" + r).resolve("Module.symvers")))
                    .map(KernelRelease::parse)
                    .sorted((a, b) -> b.compareTo(a))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The kbuild tree to run {@code make -C} in, if installed: it must hold a Makefile and Module.symvers. */
    public Optional<Path> headers() {
        for (String dir : List.of("/lib/modules/" + release.name() + "/build", "/usr/src/linux-headers-" + release.name())) {
            Path p = root.path(dir);
            if (Files.isRegularFile(p.resolve("Makefile")) && Files.isRegularFile(p.resolve("Module.symvers"))) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    public Path modulesDir() {
        return root.path("/lib/modules/" + release.name());
    }

    /** {@code /boot/config-R}, else the headers' {@code .config}. */
    public Optional<Path> config() {
        Path boot = root.path("/boot/config-" + release.name());
        if (Files.isRegularFile(boot)) {
            return Optional.of(boot);
        }
        return headers().map(h -> h.resolve(".config")).filter(Files::isRegularFile);
    }

    /** The compiler the kernel was built with, from {@code CONFIG_CC_VERSION_TEXT} (kernel 5.8+). */
    public Optional<String> kernelCompiler() {
        return config().flatMap(c -> {
            try (Stream<String> lines = Files.lines(c, StandardCharsets.UTF_8)) {
                return lines.filter(l -> l.startsWith("CONFIG_CC_VERSION_TEXT="))
                        .map(l -> l.substring("CONFIG_CC_VERSION_TEXT=".length()).replace("\"", ""))
                        .findFirst();
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }
}
