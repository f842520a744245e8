package dev.klpfleet.kernel.tracing;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.SkippedLine;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and parses {@code enabled_functions}: every function with an ftrace user, how many users,
 * and what kind. Line grammar (kernel/trace/ftrace.c, t_show):
 * <pre>
 * NAME[ [MODULE]] (COUNT) R I D O M [\ttramp: TRAMP (HANDLER) ->TARGET {SUBOPS}]...[\tops: OPS (FUNC)]
 * [\n\tdirect-->TARGET]
 * </pre>
 * Each flag column is blank when unset; 4.18 prints only R and I, 5.5 added D, 6.3 O, 6.5 M,
 * 6.13 sub-ops in braces. The parser keys on tokens, not columns, so all of them parse.
 */
public final class EnabledFunctions {

    /** tracefs mount point since 4.1; Debian mounts it here. */
    public static final String TRACEFS_PATH = "/sys/kernel/tracing/enabled_functions";
    /** The debugfs automount path, the only one on older setups (RHEL 8 without tracefs mounted). */
    public static final String DEBUGFS_PATH = "/sys/kernel/debug/tracing/enabled_functions";

    private static final Pattern HEAD = Pattern.compile("^(\\S+)(?: \\[([^\\]]+)\\])? \\((\\d+)\\)(.*)$");
    private static final Pattern TRAMP = Pattern.compile(
            "^tramp: (.+?)(?: \\(([^()]*)\\))?(?: ->(\\S+(?: \\[[^\\]]+\\])?))?(?: \\{.*\\})*\\s*$");
    private static final String DIRECT = "direct-->";

    private EnabledFunctions() {}

    /**
     * Reads the file from tracefs, falling back to the debugfs path.
     *
     * @return empty when neither path exists (tracing not mounted or CONFIG_DYNAMIC_FTRACE off):
     *     the caller cannot tell whether functions are in use
     */
    public static Optional<Parsed<FtraceRecord>> read(KernelRoot root) {
        return root.read(TRACEFS_PATH).or(() -> root.read(DEBUGFS_PATH)).map(EnabledFunctions::parse);
    }

    /** Parses the file's text; lines that do not fit the grammar are skipped with a reason. */
    public static Parsed<FtraceRecord> parse(String text) {
        List<FtraceRecord> out = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
                continue;
            }
            String stripped = line.strip();
            if (stripped.startsWith(DIRECT)) {
                if (out.isEmpty()) {
                    skipped.add(new SkippedLine(i + 1, line, "direct--> line without a function line before it"));
                } else {
                    int last = out.size() - 1;
                    out.set(last, out.get(last).withDirectTarget(stripped.substring(DIRECT.length()), line));
                }
                continue;
            }
            try {
                out.add(parseLine(line));
            } catch (IllegalArgumentException e) {
                skipped.add(new SkippedLine(i + 1, line, e.getMessage()));
            }
        }
        return new Parsed<>(out, skipped);
    }

    static FtraceRecord parseLine(String line) {
        Matcher m = HEAD.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not 'FUNCTION [MODULE] (COUNT) FLAGS'");
        }
        String[] parts = m.group(4).split("\t");
        EnumSet<FtraceFlag> flags = EnumSet.noneOf(FtraceFlag.class);
        // Unknown tokens (a flag letter a newer kernel adds) are ignored; the raw line keeps them.
        for (String token : parts[0].trim().split("\\s+")) {
            FtraceFlag.ofLetter(token).ifPresent(flags::add);
        }
        List<FtraceTrampoline> tramps = new ArrayList<>();
        Optional<String> ops = Optional.empty();
        for (int k = 1; k < parts.length; k++) {
            String part = parts[k].strip();
            if (part.startsWith("tramp: ")) {
                tramps.add(trampoline(part));
            } else if (part.startsWith("ops: ")) {
                ops = Optional.of(part.substring("ops: ".length()));
            }
        }
        return new FtraceRecord(m.group(1), Optional.ofNullable(m.group(2)), Integer.parseInt(m.group(3)), flags,
                tramps, ops, Optional.empty(), line);
    }

    private static FtraceTrampoline trampoline(String part) {
        Matcher t = TRAMP.matcher(part);
        if (!t.matches()) {
            return new FtraceTrampoline(part.substring("tramp: ".length()), Optional.empty(), Optional.empty());
        }
        return new FtraceTrampoline(t.group(1), Optional.ofNullable(t.group(2)), Optional.ofNullable(t.group(3)));
    }
}
