package dev.klpfleet.kernel.elf;

/**
 * One ELF64 RELA entry: at {@code offset} in the relocated section, store (a function of) the
 * address of {@code symbol} plus {@code addend}.
 */
public record ElfRelocation(long offset, int type, ElfSymbol symbol, long addend) {}
