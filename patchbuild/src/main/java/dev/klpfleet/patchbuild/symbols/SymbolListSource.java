package dev.klpfleet.patchbuild.symbols;

import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.kernel.KernelRoot;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Finds a release's vmlinux symbol list. Debian's {@code /boot/System.map-R} is a one-line
 * placeholder ("The real System.map is in the linux-image-&lt;version&gt;-dbg package"), so the
 * search goes on: in order, {@code DIR/kallsyms-R} (a capture of the release's own
 * {@code /proc/kallsyms}, as testbench/capture-symbols makes) and {@code DIR/System.map-R} for
 * each {@link SymbolSearch#dirs() directory}; then, with {@link SymbolSearch#hostFallbacks()},
 * {@code /boot/System.map-R}, {@code /usr/lib/debug/boot/System.map-R} (the -dbg package), and
 * {@code /proc/kallsyms} when R is the running kernel and addresses are visible (root).
 */
public final class SymbolListSource {
    private SymbolListSource() {}

    /** A usable symbol list, or why none was found (every place tried). */
    public sealed interface Located {
        record Found(Path file) implements Located {}
        record Missing(String reason) implements Located {}
    }

    public static Located locate(KernelRoot root, KernelRelease release, SymbolSearch search) {
        String r = release.name();
        List<Path> candidates = new ArrayList<>();
        for (Path d : search.dirs()) {
            candidates.add(d.resolve("kallsyms-" + r));
            candidates.add(d.resolve("System.map-" + r));
        }
        if (search.hostFallbacks()) {
            candidates.add(root.path("/boot/System.map-" + r));
            candidates.add(root.path("/usr/lib/debug/boot/System.map-" + r));
        }
        List<String> rejected = new ArrayList<>();
        for (Path c : candidates) {
            if (!Files.isRegularFile(c)) {
                continue;
            }
            Optional<String> why = unusable(c);
            if (why.isEmpty()) {
                return new Located.Found(c);
            }
            rejected.add(c + " (" + why.get() + ")");
        }
        if (search.hostFallbacks() && root.read("/proc/sys/kernel/osrelease").filter(r::equals).isPresent()) {
            Path kallsyms = root.path("/proc/kallsyms");
            Optional<String> why = Files.isReadable(kallsyms) ? unusable(kallsyms) : Optional.of("not readable");
            if (why.isEmpty()) {
                return new Located.Found(kallsyms);
            }
            rejected.add(kallsyms + " (" + why.get() + ")");
        }
        String tried = rejected.isEmpty() ? "" : "; rejected " + String.join(", ", rejected);
        String looked = search.hostFallbacks() ? "" : " (--symbols-only: this host's own files were not read)";
        return new Located.Missing("no symbol list for " + r + looked + ": pass --symbols DIR holding kallsyms-" + r
                + " (testbench/capture-symbols --kernel " + r + " DIR) or System.map-" + r
                + " (from linux-image-" + r + "-dbg)" + tried);
    }

    /** Why a file is not a real symbol list: Debian's placeholder, or kallsyms read without root (all addresses 0). */
    private static Optional<String> unusable(Path file) {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            int lines = 0;
            boolean anyAddress = false;
            for (String line; (line = r.readLine()) != null && lines < 1000; lines++) {
                if (line.contains("The real System.map is in")) {
                    return Optional.of("Debian placeholder");
                }
                if (line.startsWith("#")) {
                    lines--; // a capture's header, not a symbol
                    continue;
                }
                anyAddress |= !line.startsWith("0000000000000000");
            }
            if (lines < 2) {
                return Optional.of("fewer than 2 symbols");
            }
            return anyAddress ? Optional.empty() : Optional.of("all addresses are 0: read without root");
        } catch (IOException e) {
            return Optional.of(e.getMessage());
        }
    }
}
