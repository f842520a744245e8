package dev.klpfleet.kernel.preflight;

/** One check's answer, ordered from best to worst. */
public enum Verdict {
    /** Nothing stands in the way. */
    PASS,
    /** The load can go ahead, but an operator should know (a kprobe that will stop firing, a prior taint). */
    WARN,
    /** The load would fail or do harm; it is not attempted. */
    FAIL;

    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public Verdict worst(Verdict other) {
        return other.ordinal() > ordinal() ? other : this;
    }
}
