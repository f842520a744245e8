package dev.klpfleet.kernel.module;

import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfFormatException;
import dev.klpfleet.kernel.elf.ElfRelocation;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Reads what a kernel module file declares, from its ELF sections alone: no {@code modinfo(8)},
 * no {@code readelf}, no kernel. Thread-safe and stateless.
 */
public final class ModuleInspector {

    /** Larger than any real module (the biggest in Debian's 6.12 tree is about 30 MiB); reading more is a mistake. */
    public static final long MAX_MODULE_BYTES = 256L * 1024 * 1024;

    /**
     * {@code offsetof(struct module, name)} on 64-bit: after {@code enum module_state state} (padded
     * to 8) and {@code struct list_head list}; unchanged from 2.6 to 6.12.
     */
    private static final int THIS_MODULE_NAME_OFFSET = 24;
    /** {@code MODULE_NAME_LEN} on 64-bit: 64 - sizeof(unsigned long). */
    private static final int MODULE_NAME_LEN = 56;

    private ModuleInspector() {}

    /**
     * Reads and inspects the module file at {@code file}.
     *
     * @throws IOException           if the file cannot be read
     * @throws ModuleFormatException if it is not a module this reader understands, is larger
     *                               than {@link #MAX_MODULE_BYTES}, or is truncated
     */
    public static ModuleInspection inspect(Path file) throws IOException, ModuleFormatException {
        long size = Files.size(file);
        if (size > MAX_MODULE_BYTES) {
            throw new ModuleFormatException(size + " bytes is too large for a kernel module (limit " + MAX_MODULE_BYTES + ")");
        }
        return inspect(Files.readAllBytes(file));
    }

    /** Inspects a module held in memory; the array is not modified or retained. */
    public static ModuleInspection inspect(byte[] module) throws ModuleFormatException {
        return inspect(ByteBuffer.wrap(module));
    }

    /**
     * Inspects a module held in a buffer: all of its capacity, regardless of position and limit.
     * The buffer is read, never modified, and must not change during the call.
     *
     * @throws ModuleFormatException if the bytes are not ELF64 little-endian x86-64 ET_REL, any
     *                               header, section, table or string lies outside the file, or
     *                               there is no {@code .modinfo} section
     */
    public static ModuleInspection inspect(ByteBuffer module) throws ModuleFormatException {
        try {
            return read(ElfFile.parse(module), module);
        } catch (ElfFormatException e) {
            throw new ModuleFormatException(e.getMessage());
        }
    }

    private static ModuleInspection read(ElfFile elf, ByteBuffer module) throws ElfFormatException, ModuleFormatException {
        ElfSection modinfoSection = elf.section(".modinfo")
                .orElseThrow(() -> new ModuleFormatException("no .modinfo section: not a kernel module"));
        Modinfo modinfo = Modinfo.parse(elf.contents(modinfoSection));
        List<Unknown> unknowns = new ArrayList<>();

        String name = modinfo.first("name").filter(n -> !n.isEmpty()).or(() -> thisModuleName(elf)).orElse(null);
        if (name == null) {
            name = "unknown";
            unknowns.add(new Unknown("name", "no name= in .modinfo and no name in .gnu.linkonce.this_module"));
        }
        Optional<String> vermagic = modinfo.first("vermagic");
        Optional<String> release = vermagic.map(v -> v.strip().split("\\s+")[0]).filter(r -> !r.isEmpty());
        if (vermagic.isEmpty()) {
            unknowns.add(new Unknown("vermagic", "no vermagic= in .modinfo"));
        }
        boolean livepatch = modinfo.first("livepatch").filter("Y"::equals).isPresent();
        List<String> depends = modinfo.first("depends")
                .map(d -> Arrays.stream(d.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());

        KlpPatchReader.Result patch = new KlpPatchReader(elf, new Pointers(elf)).read(livepatch, release);
        unknowns.addAll(patch.unknowns());

        return new ModuleInspection(name, vermagic, release, modinfo.first("srcversion"), modinfo.first("license"),
                depends, livepatch, patch.replace(), patch.objects(), symbolLookup(elf), unknowns,
                module.capacity(), sha256(module));
    }

    private static Optional<String> thisModuleName(ElfFile elf) {
        Optional<ElfSection> s = elf.section(".gnu.linkonce.this_module");
        if (s.isEmpty() || !s.get().occupiesFile() || s.get().size() < THIS_MODULE_NAME_OFFSET + MODULE_NAME_LEN) {
            return Optional.empty();
        }
        ByteBuffer b = elf.contents(s.get());
        int len = 0;
        while (len < MODULE_NAME_LEN && b.get(THIS_MODULE_NAME_OFFSET + len) != 0) {
            len++;
        }
        byte[] raw = new byte[len];
        b.get(THIS_MODULE_NAME_OFFSET, raw);
        return len == 0 ? Optional.empty() : Optional.of(new String(raw, StandardCharsets.UTF_8));
    }

    private static SymbolLookupCost symbolLookup(ElfFile elf) throws ElfFormatException {
        int klpSections = 0;
        int klpRelocations = 0;
        for (ElfSection s : elf.sections()) {
            if (s.type() == ElfSection.SHT_RELA && (s.hasFlag(ElfSection.SHF_RELA_LIVEPATCH) || s.name().startsWith(".klp.rela."))) {
                klpSections++;
                List<ElfRelocation> relocations = elf.relocations(s);
                klpRelocations += relocations.size();
            }
        }
        int klpSymbols = 0;
        int undefined = 0;
        for (ElfSymbol sym : elf.symbols()) {
            if (sym.shndx() == ElfSymbol.SHN_LIVEPATCH) {
                klpSymbols++;
            } else if (sym.shndx() == ElfSymbol.SHN_UNDEF && sym.index() > 0) {
                undefined++;
            }
        }
        return new SymbolLookupCost(klpSections, klpRelocations, klpSymbols, undefined);
    }

    private static String sha256(ByteBuffer module) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(module.duplicate().clear());
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
