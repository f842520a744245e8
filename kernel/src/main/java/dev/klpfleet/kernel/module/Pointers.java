package dev.klpfleet.kernel.module;

import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfFormatException;
import dev.klpfleet.kernel.elf.ElfRelocation;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The pointers stored in a module's data, as its RELA sections describe them. In a {@code .ko}
 * (ET_REL) a statically initialised pointer such as {@code klp_object.funcs} is zero in the
 * section bytes; the value is an {@code R_X86_64_64} relocation at that offset, usually against a
 * section symbol plus addend. Livepatch relocation sections ({@code .klp.rela.*}) are left out:
 * they patch code against the patched object, not the module's own data.
 */
final class Pointers {

    private static final int R_X86_64_64 = 1;

    /** Where a pointer points: into a section of this file, or at a symbol defined elsewhere. */
    sealed interface Target {
        record InSection(ElfSection section, long offset) implements Target {}

        record External(String symbol) implements Target {}
    }

    private final ElfFile elf;
    private final Map<Integer, TreeMap<Long, ElfRelocation>> bySection = new HashMap<>();

    Pointers(ElfFile elf) throws ElfFormatException {
        this.elf = elf;
        for (ElfSection s : elf.sections()) {
            if (s.type() != ElfSection.SHT_RELA || s.hasFlag(ElfSection.SHF_RELA_LIVEPATCH) || s.name().startsWith(".klp.rela.")) {
                continue;
            }
            Optional<ElfSection> target = elf.section(s.info());
            if (target.isEmpty() || !target.get().hasFlag(ElfSection.SHF_ALLOC)) {
                continue; // debug info and other sections the kernel never loads
            }
            TreeMap<Long, ElfRelocation> map = bySection.computeIfAbsent(s.info(), k -> new TreeMap<>());
            for (ElfRelocation r : elf.relocations(s)) {
                if (r.type() == R_X86_64_64) {
                    map.put(r.offset(), r);
                }
            }
        }
    }

    /** The pointer stored at {@code offset} of {@code section}, if a relocation sets one. */
    Optional<Target> at(ElfSection section, long offset) {
        TreeMap<Long, ElfRelocation> map = bySection.get(section.index());
        ElfRelocation r = map == null ? null : map.get(offset);
        return r == null ? Optional.empty() : Optional.of(target(r));
    }

    /** The relocations that set pointers in {@code [from, to)} of {@code section}, by offset. */
    SortedMap<Long, ElfRelocation> within(ElfSection section, long from, long to) {
        TreeMap<Long, ElfRelocation> map = bySection.get(section.index());
        return map == null || from >= to ? new TreeMap<>() : map.subMap(from, to);
    }

    /** Every pointer-setting relocation, with the section it sets. */
    List<Map.Entry<ElfSection, ElfRelocation>> all() {
        return bySection.entrySet().stream()
                .sorted(Map.Entry.comparingByKey())
                .flatMap(e -> e.getValue().values().stream().map(r -> Map.entry(elf.sections().get(e.getKey()), r)))
                .toList();
    }

    Target target(ElfRelocation r) {
        ElfSymbol s = r.symbol();
        if (s.isDefinedInSection() && s.shndx() < elf.sections().size()) {
            return new Target.InSection(elf.sections().get(s.shndx()), s.value() + r.addend());
        }
        return new Target.External(s.name());
    }
}
