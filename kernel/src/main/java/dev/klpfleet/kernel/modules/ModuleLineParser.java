package dev.klpfleet.kernel.modules;

import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.SkippedLine;
import dev.klpfleet.kernel.taint.TaintFlag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/** Splits {@code /proc/modules} lines into fields. */
final class ModuleLineParser {

    private ModuleLineParser() {}

    static Parsed<LoadedModule> parse(String text) {
        List<LoadedModule> out = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (line.isBlank()) {
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

    static LoadedModule parseLine(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 5) {
            throw new IllegalArgumentException("expected at least 5 fields, found " + f.length);
        }
        long size = parseLong(f[1], "size");
        OptionalInt refs = f[2].equals("-") ? OptionalInt.empty() : OptionalInt.of((int) parseLong(f[2], "refcount"));
        List<String> usedBy = f[3].equals("-")
                ? List.of()
                : Arrays.stream(f[3].split(",")).filter(s -> !s.isEmpty()).toList();
        ModuleState state = ModuleState.ofWord(f[4])
                .orElseThrow(() -> new IllegalArgumentException("unknown module state '" + f[4] + "'"));
        Optional<String> address = Optional.empty();
        Set<TaintFlag> taints = Set.of();
        for (int k = 5; k < f.length; k++) {
            if (f[k].startsWith("0x")) {
                address = Optional.of(f[k]);
            } else if (f[k].startsWith("(") && f[k].endsWith(")")) {
                taints = taintLetters(f[k].substring(1, f[k].length() - 1));
            } else {
                throw new IllegalArgumentException("unexpected field '" + f[k] + "'");
            }
        }
        return new LoadedModule(f[0], size, refs, usedBy, state, address, taints, line);
    }

    // module_flags() also prints '+' (coming) and '-' (going) inside the parentheses: state, not taint.
    private static Set<TaintFlag> taintLetters(String letters) {
        EnumSet<TaintFlag> set = EnumSet.noneOf(TaintFlag.class);
        for (char c : letters.toCharArray()) {
            if (c == '+' || c == '-') {
                continue;
            }
            set.add(TaintFlag.ofLetter(c)
                    .orElseThrow(() -> new IllegalArgumentException("unknown taint letter '" + c + "'")));
        }
        return set;
    }

    private static long parseLong(String s, String what) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + " is not a number: '" + s + "'");
        }
    }
}
