package dev.klpfleet.kernel.taint;

import java.util.Optional;

/**
 * One bit of the kernel's taint mask ({@code /proc/sys/kernel/tainted}), with the letter the
 * kernel prints in oops headers and {@code /proc/modules}. Bits and letters follow the
 * {@code taint_flags[]} table in kernel/panic.c; bits 0-17 exist since 4.15 (RHEL 8's 4.18
 * included), {@code N} (test module) since 5.19. Bits this enum does not know are kept as numbers
 * by {@link Taint#unknownBits()}.
 */
public enum TaintFlag {
    PROPRIETARY_MODULE(0, 'P', "proprietary module loaded", TaintGate.NOTE),
    FORCED_MODULE(1, 'F', "module force-loaded (insmod -f), version checks skipped", TaintGate.BAD),
    CPU_OUT_OF_SPEC(2, 'S', "SMP with CPUs not designed for it, or CPU out of spec", TaintGate.NOTE),
    FORCED_RMMOD(3, 'R', "module force-unloaded (rmmod -f)", TaintGate.BAD),
    MACHINE_CHECK(4, 'M', "machine check exception: hardware error", TaintGate.BAD),
    BAD_PAGE(5, 'B', "bad page reference or unexpected page flags", TaintGate.BAD),
    USER(6, 'U', "taint requested by user space", TaintGate.NOTE),
    DIE(7, 'D', "kernel died recently: oops or BUG", TaintGate.BAD),
    OVERRIDDEN_ACPI_TABLE(8, 'A', "ACPI table overridden by user", TaintGate.NOTE),
    WARN(9, 'W', "kernel issued a warning (WARN_ON)", TaintGate.BAD),
    CRAP(10, 'C', "staging driver loaded", TaintGate.NOTE),
    FIRMWARE_WORKAROUND(11, 'I', "workaround for a platform firmware bug applied", TaintGate.NOTE),
    OOT_MODULE(12, 'O', "out-of-tree module loaded", TaintGate.EXPECTED_FOR_LIVEPATCH),
    UNSIGNED_MODULE(13, 'E', "unsigned module loaded", TaintGate.EXPECTED_FOR_LIVEPATCH),
    SOFTLOCKUP(14, 'L', "soft lockup occurred", TaintGate.BAD),
    LIVEPATCH(15, 'K', "livepatch loaded", TaintGate.EXPECTED_FOR_LIVEPATCH),
    AUX(16, 'X', "auxiliary taint, distribution-defined", TaintGate.NOTE),
    RANDSTRUCT(17, 'T', "kernel built with struct randomization plugin", TaintGate.NOTE),
    TEST(18, 'N', "in-kernel test module loaded", TaintGate.NOTE);

    private final int bit;
    private final char letter;
    private final String meaning;
    private final TaintGate gate;

    TaintFlag(int bit, char letter, String meaning, TaintGate gate) {
        this.bit = bit;
        this.letter = letter;
        this.meaning = meaning;
        this.gate = gate;
    }

    /** Bit number in the taint mask. */
    public int bit() {
        return bit;
    }

    /** The mask value of this flag alone, {@code 1L << bit()}. */
    public long mask() {
        return 1L << bit;
    }

    /** The letter the kernel prints for this flag when it is set. */
    public char letter() {
        return letter;
    }

    /** One-line meaning for humans. */
    public String meaning() {
        return meaning;
    }

    /** How a fleet gate should treat this flag appearing. */
    public TaintGate gate() {
        return gate;
    }

    /** The flag with this letter, as printed in {@code /proc/modules} and oops headers. */
    public static Optional<TaintFlag> ofLetter(char letter) {
        for (TaintFlag f : values()) {
            if (f.letter == letter) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
