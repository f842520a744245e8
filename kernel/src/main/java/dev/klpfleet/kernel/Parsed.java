package dev.klpfleet.kernel;

import java.util.List;

/**
 * What a line-oriented parser understood, plus the lines it skipped and why.
 *
 * @param entries the parsed entries, in file order
 * @param skipped the lines that were not understood, in file order; empty for a clean file
 */
public record Parsed<T>(List<T> entries, List<SkippedLine> skipped) {

    public Parsed {
        entries = List.copyOf(entries);
        skipped = List.copyOf(skipped);
    }

    public static <T> Parsed<T> empty() {
        return new Parsed<>(List.of(), List.of());
    }
}
