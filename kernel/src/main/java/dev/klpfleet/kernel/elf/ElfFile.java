package dev.klpfleet.kernel.elf;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * A read-only view of a 64-bit little-endian x86-64 relocatable ELF file (a {@code .ko}): its
 * section headers, symbol table and RELA entries. Every offset is checked against the file before
 * it is read, so malformed or truncated input ends in {@link ElfFormatException}, never in an
 * index or buffer exception.
 */
public final class ElfFile {

    /** {@code e_machine} of x86-64; the only machine whose modules klpfleet deploys. */
    public static final int EM_X86_64 = 62;
    private static final int ET_REL = 1;
    private static final int EHDR_SIZE = 64;
    private static final int SHDR_SIZE = 64;
    private static final int SYM_SIZE = 24;
    private static final int RELA_SIZE = 24;
    private static final int SHN_XINDEX = 0xffff;

    private final ByteBuffer bytes;
    private final List<ElfSection> sections;
    private final List<ElfSymbol> symbols;

    private ElfFile(ByteBuffer bytes, List<ElfSection> sections, List<ElfSymbol> symbols) {
        this.bytes = bytes;
        this.sections = sections;
        this.symbols = symbols;
    }

    /**
     * Parses the ELF header, all section headers and the symbol table of {@code file} (its
     * position and limit are ignored; the whole buffer is the file). The buffer is not copied and
     * must not change while the returned object is used.
     *
     * @throws ElfFormatException if the bytes are not ELF, not ELF64 little-endian x86-64 ET_REL,
     *                            or any header, section, name or symbol lies outside the file
     */
    public static ElfFile parse(ByteBuffer file) throws ElfFormatException {
        ByteBuffer b = file.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
        if (b.capacity() == 0) {
            throw new ElfFormatException("empty file");
        }
        if (b.capacity() < 4 || b.get(0) != 0x7f || b.get(1) != 'E' || b.get(2) != 'L' || b.get(3) != 'F') {
            throw new ElfFormatException("not an ELF file" + compressionHint(b));
        }
        if (b.capacity() < EHDR_SIZE) {
            throw new ElfFormatException("truncated: ELF header needs 64 bytes, file has " + b.capacity());
        }
        if (b.get(4) != 2) {
            throw new ElfFormatException("ELF class " + b.get(4) + " is not ELF64 (kernel modules for x86-64 are 64-bit)");
        }
        if (b.get(5) != 1) {
            throw new ElfFormatException("ELF data encoding " + b.get(5) + " is not little-endian");
        }
        int type = u16(b, 16);
        int machine = u16(b, 18);
        if (machine != EM_X86_64) {
            throw new ElfFormatException("ELF machine " + machine + " is not x86-64 (" + EM_X86_64 + ")");
        }
        if (type != ET_REL) {
            throw new ElfFormatException("ELF type " + type + " is not a relocatable object (kernel modules are ET_REL)");
        }
        long shoff = b.getLong(40);
        int shentsize = u16(b, 58);
        long shnum = u16(b, 60);
        int shstrndx = u16(b, 62);
        if (shoff == 0) {
            throw new ElfFormatException("no section header table");
        }
        if (shentsize != SHDR_SIZE) {
            throw new ElfFormatException("section header size " + shentsize + ", expected " + SHDR_SIZE);
        }
        check(b, shoff, SHDR_SIZE, "section header 0");
        // More than 0xff00 sections: the real counts live in section 0 (ELF gABI "Extended section numbering").
        if (shnum == 0) {
            shnum = b.getLong((int) shoff + 32);
        }
        if (shstrndx == SHN_XINDEX) {
            shstrndx = b.getInt((int) shoff + 40);
        }
        if (shnum > (b.capacity() - shoff) / SHDR_SIZE) {
            throw new ElfFormatException("truncated: " + shnum + " section headers at offset " + shoff + " exceed the file (" + b.capacity() + " bytes)");
        }
        if (shstrndx <= 0 || shstrndx >= shnum) {
            throw new ElfFormatException("section name table index " + shstrndx + " out of range (0.." + (shnum - 1) + ")");
        }
        List<RawSection> raw = new ArrayList<>((int) shnum);
        for (int i = 0; i < shnum; i++) {
            int at = (int) (shoff + (long) i * SHDR_SIZE);
            RawSection s = new RawSection(b.getInt(at), b.getInt(at + 4), b.getLong(at + 8), b.getLong(at + 24),
                    b.getLong(at + 32), b.getInt(at + 40), b.getInt(at + 44), b.getLong(at + 56));
            if (s.type != 0 && s.type != ElfSection.SHT_NOBITS) {
                check(b, s.offset, s.size, "section " + i);
            }
            raw.add(s);
        }
        RawSection names = raw.get(shstrndx);
        if (names.type != ElfSection.SHT_STRTAB) {
            throw new ElfFormatException("section name table (section " + shstrndx + ") is not a string table");
        }
        List<ElfSection> sections = new ArrayList<>(raw.size());
        for (int i = 0; i < raw.size(); i++) {
            RawSection s = raw.get(i);
            String name = string(b, names.offset, names.size, Integer.toUnsignedLong(s.name), "name of section " + i);
            sections.add(new ElfSection(i, name, s.type, s.flags, s.offset, s.size, s.link, s.info, s.entsize));
        }
        List<ElfSymbol> symbols = readSymbols(b, sections);
        return new ElfFile(b, Collections.unmodifiableList(sections), Collections.unmodifiableList(symbols));
    }

    private static List<ElfSymbol> readSymbols(ByteBuffer b, List<ElfSection> sections) throws ElfFormatException {
        ElfSection symtab = null;
        for (ElfSection s : sections) {
            if (s.type() == ElfSection.SHT_SYMTAB) {
                if (symtab != null) {
                    throw new ElfFormatException("two symbol tables (sections " + symtab.index() + " and " + s.index() + ")");
                }
                symtab = s;
            }
        }
        if (symtab == null) {
            return List.of();
        }
        if (symtab.size() % SYM_SIZE != 0) {
            throw new ElfFormatException("symbol table size " + symtab.size() + " is not a multiple of " + SYM_SIZE);
        }
        if (symtab.link() <= 0 || symtab.link() >= sections.size() || sections.get(symtab.link()).type() != ElfSection.SHT_STRTAB) {
            throw new ElfFormatException("symbol table links to section " + symtab.link() + ", which is not a string table");
        }
        ElfSection strtab = sections.get(symtab.link());
        int count = (int) (symtab.size() / SYM_SIZE);
        List<ElfSymbol> symbols = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = (int) (symtab.offset() + (long) i * SYM_SIZE);
            int info = Byte.toUnsignedInt(b.get(at + 4));
            String name = string(b, strtab.offset(), strtab.size(), Integer.toUnsignedLong(b.getInt(at)), "name of symbol " + i);
            symbols.add(new ElfSymbol(i, name, b.getLong(at + 8), b.getLong(at + 16), info & 0xf, info >>> 4, u16(b, at + 6)));
        }
        return symbols;
    }

    /** All section headers, by index (index 0 is the null section). */
    public List<ElfSection> sections() {
        return sections;
    }

    /** The entries of the symbol table, by index; empty when the file has no {@code SHT_SYMTAB}. */
    public List<ElfSymbol> symbols() {
        return symbols;
    }

    /** The first section named {@code name}. */
    public Optional<ElfSection> section(String name) {
        return sections.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    /** The section at {@code index}, if there is one. */
    public Optional<ElfSection> section(int index) {
        return index >= 0 && index < sections.size() ? Optional.of(sections.get(index)) : Optional.empty();
    }

    /** Number of bytes in the file. */
    public int size() {
        return bytes.capacity();
    }

    /**
     * Reads the RELA entries of {@code rela}.
     *
     * @throws ElfFormatException if {@code rela} is not {@code SHT_RELA}, its size is not a whole
     *                            number of entries, or an entry names a symbol the table lacks
     */
    public List<ElfRelocation> relocations(ElfSection rela) throws ElfFormatException {
        if (rela.type() != ElfSection.SHT_RELA) {
            throw new ElfFormatException("section " + rela.name() + " is not a RELA section");
        }
        if (rela.size() % RELA_SIZE != 0) {
            throw new ElfFormatException("section " + rela.name() + " size " + rela.size() + " is not a multiple of " + RELA_SIZE);
        }
        int count = (int) (rela.size() / RELA_SIZE);
        List<ElfRelocation> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int at = (int) (rela.offset() + (long) i * RELA_SIZE);
            long info = bytes.getLong(at + 8);
            long symbol = info >>> 32;
            if (symbol >= symbols.size()) {
                throw new ElfFormatException("relocation " + i + " of " + rela.name() + " names symbol " + symbol
                        + ", the symbol table has " + symbols.size());
            }
            out.add(new ElfRelocation(bytes.getLong(at), (int) info, symbols.get((int) symbol), bytes.getLong(at + 16)));
        }
        return out;
    }

    /**
     * Reads the little-endian 64-bit word at {@code offset} in {@code section}; a
     * {@code SHT_NOBITS} section reads as zeros.
     *
     * @throws ElfFormatException if the 8 bytes are not all inside the section
     */
    public long u64(ElfSection section, long offset) throws ElfFormatException {
        inside(section, offset, 8);
        return section.occupiesFile() ? bytes.getLong((int) (section.offset() + offset)) : 0;
    }

    /** Reads the byte at {@code offset} in {@code section}, as {@link #u64} does. */
    public int u8(ElfSection section, long offset) throws ElfFormatException {
        inside(section, offset, 1);
        return section.occupiesFile() ? Byte.toUnsignedInt(bytes.get((int) (section.offset() + offset))) : 0;
    }

    /**
     * Reads the NUL-terminated string at {@code offset} in {@code section}.
     *
     * @throws ElfFormatException if the offset is outside the section or no NUL ends the string inside it
     */
    public String cString(ElfSection section, long offset) throws ElfFormatException {
        if (!section.occupiesFile()) {
            throw new ElfFormatException("string at " + section.name() + "+0x" + Long.toHexString(offset) + " is in a section without file contents");
        }
        return string(bytes, section.offset(), section.size(), offset, "string at " + section.name() + "+0x" + Long.toHexString(offset));
    }

    /** The contents of {@code section} as a read-only little-endian buffer; empty for {@code SHT_NOBITS}. */
    public ByteBuffer contents(ElfSection section) {
        if (!section.occupiesFile()) {
            return ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN);
        }
        return bytes.slice((int) section.offset(), (int) section.size()).asReadOnlyBuffer().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void inside(ElfSection section, long offset, long length) throws ElfFormatException {
        if (offset < 0 || offset > section.size() - length) {
            throw new ElfFormatException(section.name() + "+0x" + Long.toHexString(offset) + " (" + length
                    + " bytes) lies outside the section (" + section.size() + " bytes)");
        }
    }

    private static String string(ByteBuffer b, long tableOffset, long tableSize, long offset, String what) throws ElfFormatException {
        if (offset < 0 || offset >= tableSize) {
            throw new ElfFormatException(what + ": offset " + offset + " outside its string table (" + tableSize + " bytes)");
        }
        int start = (int) (tableOffset + offset);
        int end = (int) (tableOffset + tableSize);
        for (int i = start; i < end; i++) {
            if (b.get(i) == 0) {
                byte[] s = new byte[i - start];
                b.get(start, s);
                return new String(s, StandardCharsets.UTF_8);
            }
        }
        throw new ElfFormatException(what + ": no terminating NUL inside its string table");
    }

    private static void check(ByteBuffer b, long offset, long length, String what) throws ElfFormatException {
        if (offset < 0 || length < 0 || offset > b.capacity() - length) {
            throw new ElfFormatException("truncated: " + what + " spans bytes " + Long.toUnsignedString(offset) + ".."
                    + Long.toUnsignedString(offset + length) + ", file has " + b.capacity());
        }
    }

    private static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    private static String compressionHint(ByteBuffer b) {
        if (startsWith(b, 0xfd, '7', 'z', 'X', 'Z', 0)) {
            return " (xz-compressed; run xz -dk first)";
        }
        if (startsWith(b, 0x28, 0xb5, 0x2f, 0xfd)) {
            return " (zstd-compressed; run zstd -dk first)";
        }
        if (startsWith(b, 0x1f, 0x8b)) {
            return " (gzip-compressed; run gzip -dk first)";
        }
        return "";
    }

    private static boolean startsWith(ByteBuffer b, int... magic) {
        if (b.capacity() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (Byte.toUnsignedInt(b.get(i)) != magic[i]) {
                return false;
            }
        }
        return true;
    }

    private record RawSection(int name, int type, long flags, long offset, long size, int link, int info, long entsize) {}
}
