package dev.klpfleet.patchbuild.symbols;

import java.nio.file.Path;
import java.util.List;

/**
 * Where a build looks for each release's symbol data (docs/ARTIFACTS.md, "Where symbol lists
 * come from").
 *
 * @param dirs          {@code --symbols} directories, searched first, in order, for
 *                      {@code kallsyms-R}, {@code System.map-R}, {@code available_filter_functions-R},
 *                      {@code modules.dep-R} and {@code modules.builtin-R}
 * @param hostFallbacks whether to go on to this host's {@code /boot/System.map-R},
 *                      {@code /usr/lib/debug/boot/System.map-R} and, when R is the running kernel,
 *                      {@code /proc/kallsyms} and tracefs; {@code false} makes the lints depend on
 *                      {@code dirs} alone, the same on every build host
 */
public record SymbolSearch(List<Path> dirs, boolean hostFallbacks) {
    public SymbolSearch {
        dirs = List.copyOf(dirs);
    }

    /** Only this host's own places. */
    public static SymbolSearch hostOnly() {
        return new SymbolSearch(List.of(), true);
    }

    /** {@code dirs} first, then this host's own places. */
    public static SymbolSearch dirsThenHost(List<Path> dirs) {
        return new SymbolSearch(dirs, true);
    }

    /** {@code dirs} and nothing else. */
    public static SymbolSearch dirsOnly(List<Path> dirs) {
        return new SymbolSearch(dirs, false);
    }
}
