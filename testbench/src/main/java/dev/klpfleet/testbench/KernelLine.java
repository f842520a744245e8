package dev.klpfleet.testbench;

/**
 * A Debian 12 kernel line the real-kernel tests run on. The exact release (ABI number) of a line
 * moves with security updates, so it is resolved at run time by {@link Kernels#release(KernelLine)}.
 */
public enum KernelLine {
    /** Debian 12's own kernel (metapackage {@code linux-image-amd64}); sysfs has no {@code replace} attribute. */
    V6_1("6.1"),
    /** The 6.12 backport line (metapackage {@code linux-image-6.12-amd64}); sysfs shows {@code replace} (6.11+). */
    V6_12("6.12");

    private final String line;

    KernelLine(String line) {
        this.line = line;
    }

    /** Returns the line as {@code kernel-release} and {@code vm-run --kernel} accept it, e.g. {@code "6.12"}. */
    public String line() {
        return line;
    }

    /** Returns the installed release of this line, e.g. {@code 6.12.117+deb12-amd64}. */
    public String release() {
        return Kernels.release(this);
    }

    @Override
    public String toString() {
        return line;
    }
}
