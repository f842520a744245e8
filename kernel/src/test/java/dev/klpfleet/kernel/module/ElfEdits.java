package dev.klpfleet.kernel.module;

import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Targeted edits of a fixture's bytes, to make modules no compiler would emit for the test kernels. */
final class ElfEdits {

    private final byte[] bytes;
    private final ElfFile elf;
    private final ByteBuffer b;

    ElfEdits(byte[] original) throws Exception {
        this.bytes = original.clone();
        this.b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        this.elf = ElfFile.parse(ByteBuffer.wrap(original));
    }

    byte[] bytes() {
        return bytes;
    }

    ElfFile elf() {
        return elf;
    }

    /** Replaces the first occurrence of {@code from} with {@code to} (same length) inside a section. */
    ElfEdits replaceInSection(String section, String from, String to) {
        if (from.length() != to.length()) {
            throw new IllegalArgumentException("same-length edits only");
        }
        ElfSection s = elf.section(section).orElseThrow();
        byte[] needle = from.getBytes(StandardCharsets.US_ASCII);
        for (int i = (int) s.offset(); i + needle.length <= s.offset() + s.size(); i++) {
            if (java.util.Arrays.equals(bytes, i, i + needle.length, needle, 0, needle.length)) {
                System.arraycopy(to.getBytes(StandardCharsets.US_ASCII), 0, bytes, i, needle.length);
                return this;
            }
        }
        throw new IllegalArgumentException(from + " not in " + section);
    }

    /** Sets {@code st_shndx} of the named symbol. */
    ElfEdits symbolSection(String symbol, int shndx) {
        ElfSymbol sym = elf.symbols().stream().filter(s -> s.name().equals(symbol)).findFirst().orElseThrow();
        ElfSection symtab = elf.sections().stream().filter(s -> s.type() == ElfSection.SHT_SYMTAB).findFirst().orElseThrow();
        b.putShort((int) (symtab.offset() + 24L * sym.index() + 6), (short) shndx);
        return this;
    }

    /** ORs {@code flag} into {@code sh_flags} of the named section. */
    ElfEdits addSectionFlag(String section, long flag) {
        ElfSection s = elf.section(section).orElseThrow();
        int at = (int) (b.getLong(40) + 64L * s.index() + 8);
        b.putLong(at, b.getLong(at) | flag);
        return this;
    }

    ElfEdits putByte(int offset, int value) {
        bytes[offset] = (byte) value;
        return this;
    }

    ElfEdits putShort(int offset, int value) {
        b.putShort(offset, (short) value);
        return this;
    }
}
