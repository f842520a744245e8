package dev.klpfleet.patchbuild.symbols;

import dev.klpfleet.patchbuild.process.Processes;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols.FtraceSites;
import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfFormatException;
import dev.klpfleet.kernel.elf.ElfRelocation;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a shipped module's symbols (in symbol-table order, which is its kallsyms order once
 * loaded) and its ftrace call sites: every entry of {@code __mcount_loc} is a relocation to a
 * function's fentry call, so a function without one is {@code notrace} or was never compiled
 * with {@code -mfentry}. Compressed modules ({@code .ko.xz}, {@code .ko.zst}, {@code .ko.gz},
 * as Debian's 6.12 ships them) are decompressed with the system's {@code xz}/{@code zstd}/{@code gzip}.
 */
public final class ModuleSymbolsReader {
    /** Bounds one decompression; the largest module decompresses in well under a second. */
    public static final Duration DECOMPRESS_TIMEOUT = Duration.ofSeconds(30);

    private ModuleSymbolsReader() {}

    /**
     * @throws IOException if the file cannot be read or decompressed, or is not an ELF module
     */
    public static ObjectSymbols read(String moduleName, Path file) throws IOException {
        byte[] bytes = load(file);
        ElfFile elf;
        try {
            elf = ElfFile.parse(ByteBuffer.wrap(bytes));
        } catch (ElfFormatException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        List<KernelSymbol> symbols = new ArrayList<>();
        for (ElfSymbol s : elf.symbols()) {
            if (s.name().isEmpty() || !s.isDefinedInSection() || s.isSection() || s.type() == ElfSymbol.STT_FILE) {
                continue;
            }
            boolean exec = elf.section(s.shndx()).map(sec -> sec.hasFlag(ElfSection.SHF_EXECINSTR)).orElse(false);
            char type = exec ? 't' : 'd';
            symbols.add(new KernelSymbol(s.value(), s.bind() == 0 ? type : Character.toUpperCase(type), s.name()));
        }
        return new ObjectSymbols(moduleName, file.toString(), symbols, List.of(), ftraceSites(elf, file));
    }

    private static Optional<FtraceSites> ftraceSites(ElfFile elf, Path file) throws IOException {
        Optional<ElfSection> rela = elf.section(".rela__mcount_loc");
        if (rela.isEmpty()) {
            return Optional.empty(); // built without CONFIG_FUNCTION_TRACER, or stripped: no data, not "nothing traced"
        }
        List<ElfRelocation> sites;
        try {
            sites = elf.relocations(rela.get());
        } catch (ElfFormatException e) {
            throw new IOException(file + ": " + e.getMessage(), e);
        }
        Set<String> traced = new HashSet<>();
        List<ElfSymbol> funcs = elf.symbols().stream().filter(s -> s.type() == ElfSymbol.STT_FUNC && s.isDefinedInSection()).toList();
        for (ElfRelocation r : sites) {
            int shndx = r.symbol().shndx();
            long at = r.symbol().value() + r.addend();
            for (ElfSymbol f : funcs) {
                if (f.shndx() == shndx && at >= f.value() && at < f.value() + Math.max(1, f.size())) {
                    traced.add(f.name());
                }
            }
        }
        return Optional.of(new FtraceSites(traced, FtraceSites.Origin.MCOUNT_LOC, file + " __mcount_loc"));
    }

    private static byte[] load(Path file) throws IOException {
        String name = file.getFileName().toString();
        if (name.endsWith(".xz")) {
            return Processes.output(List.of("xz", "-dc", file.toString()), DECOMPRESS_TIMEOUT);
        }
        if (name.endsWith(".zst")) {
            return Processes.output(List.of("zstd", "-dcq", file.toString()), DECOMPRESS_TIMEOUT);
        }
        if (name.endsWith(".gz")) {
            return Processes.output(List.of("gzip", "-dc", file.toString()), DECOMPRESS_TIMEOUT);
        }
        return Files.readAllBytes(file);
    }
}
