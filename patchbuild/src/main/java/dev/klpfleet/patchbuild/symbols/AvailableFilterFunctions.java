package dev.klpfleet.patchbuild.symbols;

import dev.klpfleet.patchbuild.symbols.ObjectSymbols.FtraceSites;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Reads ftrace's list of patchable functions, {@code /sys/kernel/tracing/available_filter_functions}
 * (tracefs; {@code /sys/kernel/debug/tracing} before 4.1), or a capture of it. Each line is
 * {@code name} for vmlinux or {@code name [module]} for a loaded module; lines starting with
 * {@code #} are a capture's header. A function is listed when ftrace recorded its fentry call
 * site and may hook it, which is exactly what a livepatch needs.
 */
public final class AvailableFilterFunctions {
    private AvailableFilterFunctions() {}

    /**
     * The hookable functions per object ({@code vmlinux} or a module name). An object absent from
     * the map had nothing listed: for a module, it was not loaded when the file was read.
     *
     * @throws IOException if the file cannot be read
     */
    public static Map<String, FtraceSites> read(Path file) throws IOException {
        Map<String, Set<String>> byObject = new HashMap<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line; (line = r.readLine()) != null; ) {
                String s = line.strip();
                if (s.isEmpty() || s.startsWith("#")) {
                    continue;
                }
                int space = s.indexOf(' ');
                String name = space < 0 ? s : s.substring(0, space);
                String object = "vmlinux";
                int open = s.indexOf('[', Math.max(space, 0));
                int close = s.indexOf(']', Math.max(open, 0));
                if (space > 0 && open > 0 && close > open) {
                    object = s.substring(open + 1, close);
                }
                byObject.computeIfAbsent(object, k -> new HashSet<>()).add(name);
            }
        }
        Map<String, FtraceSites> out = new HashMap<>();
        byObject.forEach((o, names) -> out.put(o, new FtraceSites(names, FtraceSites.Origin.AVAILABLE_FILTER_FUNCTIONS, file.toString())));
        return Map.copyOf(out);
    }
}
