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
     * @throws IllegalStateException when the file cannot be read, or holds something other than a
     *                               decimal number: the taint is then unknown, which is not clean
     */
    public static Optional<Taint> read(KernelRoot root) {
        Optional<String> text;
        try {
            text = root.read(PATH);
        } catch (java.io.UncheckedIOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        return text.map(String::strip).map(Taints::parse);
    }

    static Taint parse(String text) {
        try {
            return Taint.decode(Long.parseUnsignedLong(text));
        } catch (NumberFormatException e) {
            throw new IllegalStateException(PATH + " is not a decimal number: '" + text + "'", e);
        }
    }
}
