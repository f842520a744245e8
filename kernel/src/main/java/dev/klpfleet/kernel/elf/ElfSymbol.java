package dev.klpfleet.kernel.elf;

/**
 * One ELF64 symbol table entry.
 *
 * @param index   its index in the symbol table (what relocations refer to)
 * @param shndx   {@code st_shndx}: the defining section, or a special index such as
 *                {@link #SHN_UNDEF} or {@link #SHN_LIVEPATCH}
 */
public record ElfSymbol(int index, String name, long value, long size, int type, int bind, int shndx) {

    public static final int SHN_UNDEF = 0;
    /** Section index of a symbol the livepatch core resolves at load (kernel 4.7+, include/uapi/linux/elf.h). */
    public static final int SHN_LIVEPATCH = 0xff20;
    public static final int SHN_LORESERVE = 0xff00;

    public static final int STT_NOTYPE = 0;
    public static final int STT_OBJECT = 1;
    public static final int STT_FUNC = 2;
    public static final int STT_SECTION = 3;
    public static final int STT_FILE = 4;

    /** True when the symbol is defined in an ordinary section of this file. */
    public boolean isDefinedInSection() {
        return shndx != SHN_UNDEF && shndx < SHN_LORESERVE;
    }

    public boolean isSection() {
        return type == STT_SECTION;
    }
}
