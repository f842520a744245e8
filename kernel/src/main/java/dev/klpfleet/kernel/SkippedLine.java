package dev.klpfleet.kernel;

/**
 * A line of a procfs, sysfs or tracefs listing that a parser could not understand. Parsers skip
 * such lines instead of failing, because one odd line (a new kernel's extra column, a record
 * half-written during a race) must not hide every other line of the listing.
 *
 * @param lineNumber 1-based line number within the parsed text
 * @param line the raw line, without its newline
 * @param reason why it was skipped, one short sentence
 */
public record SkippedLine(int lineNumber, String line, String reason) {}
