package dev.klpfleet.protocol.fleet;

/**
 * The taint bits that mean a host got sick, as agents report them in {@link CheckinRequest#taint()}
 * ({@code /proc/sys/kernel/tainted}). Bits follow {@code taint_flags[]} in kernel/panic.c (stable since 4.15).
 * Bits a livepatch sets by itself (O out-of-tree, E unsigned, K livepatch) and informational ones are not bad.
 * The kernel room's {@code TaintFlag} table marks the same bits BAD; a test keeps the two in step.
 */
public final class BadTaint {
    private BadTaint() {}

    /** F: module force-loaded. */
    public static final long FORCED_MODULE = 1L << 1;
    /** R: module force-unloaded. */
    public static final long FORCED_RMMOD = 1L << 3;
    /** M: machine check exception. */
    public static final long MACHINE_CHECK = 1L << 4;
    /** B: bad page reference or unexpected page flags. */
    public static final long BAD_PAGE = 1L << 5;
    /** D: the kernel died recently (oops or BUG). */
    public static final long DIE = 1L << 7;
    /** W: the kernel issued a warning. */
    public static final long WARN = 1L << 9;
    /** L: a soft lockup occurred. */
    public static final long SOFTLOCKUP = 1L << 14;

    /** Every bad bit. */
    public static final long MASK = FORCED_MODULE | FORCED_RMMOD | MACHINE_CHECK | BAD_PAGE | DIE | WARN | SOFTLOCKUP;

    private static final long[] BITS = {FORCED_MODULE, FORCED_RMMOD, MACHINE_CHECK, BAD_PAGE, DIE, WARN, SOFTLOCKUP};
    private static final char[] LETTERS = {'F', 'R', 'M', 'B', 'D', 'W', 'L'};

    /** The bad bits set in {@code current} that were clear in {@code previous}; 0 if none. */
    public static long added(long previous, long current) {
        return current & ~previous & MASK;
    }

    /** The kernel's letters for the bad bits in {@code bits}, in bit order, e.g. {@code "DW"}. */
    public static String letters(long bits) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < BITS.length; i++) {
            if ((bits & BITS[i]) != 0) {
                sb.append(LETTERS[i]);
            }
        }
        return sb.toString();
    }
}
