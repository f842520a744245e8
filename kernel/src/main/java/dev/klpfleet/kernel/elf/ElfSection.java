package dev.klpfleet.kernel.elf;

/**
 * One ELF64 section header.
 *
 * @param index  the section's index in the section header table
 * @param name   its name from the section header string table
 * @param offset file offset of its contents (meaningless for {@link #SHT_NOBITS})
 * @param size   size of its contents in bytes
 * @param link   {@code sh_link}: for a symbol table its string table, for a RELA section its symbol table
 * @param info   {@code sh_info}: for a RELA section the index of the section it relocates
 */
public record ElfSection(int index, String name, int type, long flags, long offset, long size, int link, int info, long entsize) {

    public static final int SHT_PROGBITS = 1;
    public static final int SHT_SYMTAB = 2;
    public static final int SHT_STRTAB = 3;
    public static final int SHT_RELA = 4;
    public static final int SHT_NOBITS = 8;

    public static final long SHF_WRITE = 0x1;
    public static final long SHF_ALLOC = 0x2;
    public static final long SHF_EXECINSTR = 0x4;
    public static final long SHF_STRINGS = 0x20;
    /** Marks a {@code .klp.rela.*} section that the livepatch core, not the module loader, applies (kernel 4.7+, include/uapi/linux/elf.h). */
    public static final long SHF_RELA_LIVEPATCH = 0x00100000;

    public boolean hasFlag(long flag) {
        return (flags & flag) != 0;
    }

    public boolean occupiesFile() {
        return type != SHT_NOBITS && type != 0;
    }
}
