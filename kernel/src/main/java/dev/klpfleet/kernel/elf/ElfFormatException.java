package dev.klpfleet.kernel.elf;

/** The bytes are not an ELF file {@link ElfFile} can read; the message names the first defect in one line. */
public final class ElfFormatException extends Exception {

    public ElfFormatException(String reason) {
        super(reason);
    }
}
