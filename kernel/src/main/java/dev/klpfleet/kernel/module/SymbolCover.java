package dev.klpfleet.kernel.module;

import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import java.util.Optional;

/** Finds the named symbol that covers a (section, offset) location, as {@code addr2line} would by symbol. */
final class SymbolCover {

    private final ElfFile elf;

    SymbolCover(ElfFile elf) {
        this.elf = elf;
    }

    /**
     * The object or function symbol whose {@code [value, value+size)} contains {@code offset} in
     * {@code section}; one starting exactly there wins, then the lowest symbol index (the local,
     * source-level name comes before aliases such as {@code init_module}).
     */
    Optional<ElfSymbol> covering(ElfSection section, long offset) {
        ElfSymbol best = null;
        for (ElfSymbol s : elf.symbols()) {
            if (s.shndx() != section.index() || s.isSection() || s.type() == ElfSymbol.STT_FILE || s.name().isEmpty()) {
                continue;
            }
            boolean sane = s.value() >= 0 && s.size() >= 0 && s.value() <= section.size() - s.size();
            boolean covers = sane && (offset >= s.value() && offset - s.value() < s.size() || s.size() == 0 && offset == s.value());
            if (covers && (best == null || s.value() == offset && best.value() != offset)) {
                best = s;
            }
        }
        return Optional.ofNullable(best);
    }
}
