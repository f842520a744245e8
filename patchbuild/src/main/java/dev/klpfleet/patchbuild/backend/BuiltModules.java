package dev.klpfleet.patchbuild.backend;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Finding what a back-end produced, and the line of its output worth showing first. */
final class BuiltModules {
    private static final Pattern GCC_ERROR = Pattern.compile("(?m)^(\\S+:\\d+:\\d+: (?:fatal )?error: .*)$");
    private static final Pattern ANY_ERROR = Pattern.compile("(?mi)^(.*\\berror\\b.*)$");

    private BuiltModules() {}

    /** The {@code .ko} files directly in {@code dir}. */
    static List<Path> modulesIn(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(".ko") && Files.isRegularFile(p)).sorted().toList();
        }
    }

    /** The first compiler error in {@code log}, else its first line mentioning an error, else its last line. */
    static String firstError(String log, String fallback) {
        Matcher m = GCC_ERROR.matcher(log);
        if (m.find()) {
            return m.group(1).strip();
        }
        m = ANY_ERROR.matcher(log);
        if (m.find()) {
            return m.group(1).strip();
        }
        List<String> lines = log.lines().filter(l -> !l.isBlank()).toList();
        return lines.isEmpty() ? fallback : lines.get(lines.size() - 1).strip();
    }

    /** Copies a source tree into {@code to}, leaving out build products of earlier in-place builds. */
    static void copySource(Path from, Path to) throws IOException {
        try (Stream<Path> walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                String n = p.getFileName().toString();
                if (n.endsWith(".o") || n.endsWith(".ko") || n.endsWith(".mod") || n.endsWith(".mod.c") || n.endsWith(".cmd")
                        || n.equals("Module.symvers") || n.equals("modules.order")) {
                    continue;
                }
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
