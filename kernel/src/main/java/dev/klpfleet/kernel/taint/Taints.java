package dev.klpfleet.kernel.taint;

import dev.klpfleet.kernel.KernelRoot;
import java.util.Optional;

/** Reads the running kernel's taint mask. */
public final class Taints {

    /** Present on every kernel since 2.6; a plain decimal since it became a sysctl. */
    public static final String PATH = "/proc/sys/kernel/tainted";

    private Taints() {}

    /**
     * Reads and decodes {@value #PATH}.
     *
     * @return empty when the file does not exist under {@code root}
     * @throws IllegalStateException when the file holds something other than a decimal number
     */
    public static Optional<Taint> read(KernelRoot root) {
        return root.read(PATH).map(String::strip).map(Taints::parse);
    }

    static Taint parse(String text) {
        try {
            return Taint.decode(Long.parseUnsignedLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(PATH + " is not a decimal number: '" + text + "'", e);
        }
    }
}
