package dev.klpfleet.kernel.module;

/**
 * The bytes are not a kernel module this reader understands: not ELF, not a 64-bit little-endian
 * x86-64 relocatable object, truncated (a section, table or offset lies outside the file), or
 * without {@code .modinfo}. The message is one line naming the first such defect.
 */
public final class ModuleFormatException extends Exception {

    public ModuleFormatException(String reason) {
        super(reason);
    }
}
