package dev.klpfleet.kernel.taint;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A decoded kernel taint mask. Taint is sticky: the kernel never clears a bit until reboot, so a
 * gate compares two readings with {@link #addedSince(Taint)} rather than judging one alone.
 *
 * @param value the raw mask as read from {@code /proc/sys/kernel/tainted}
 * @param flags the known flags that are set
 * @param unknownBits bits set in {@code value} that {@link TaintFlag} does not know (newer kernels)
 */
public record Taint(long value, Set<TaintFlag> flags, long unknownBits) {

    public Taint {
        flags = flags.isEmpty() ? Set.of() : Collections.unmodifiableSet(EnumSet.copyOf(flags));
    }

    /** Decodes a raw taint mask; never fails, unknown bits land in {@link #unknownBits()}. */
    public static Taint decode(long value) {
        EnumSet<TaintFlag> set = EnumSet.noneOf(TaintFlag.class);
        long known = 0;
        for (TaintFlag f : TaintFlag.values()) {
            known |= f.mask();
            if ((value & f.mask()) != 0) {
                set.add(f);
            }
        }
        return new Taint(value, set, value & ~known);
    }

    public boolean isClean() {
        return value == 0;
    }

    public boolean has(TaintFlag flag) {
        return flags.contains(flag);
    }

    /** Flags that signal kernel trouble ({@link TaintGate#BAD}). */
    public Set<TaintFlag> bad() {
        return withGate(TaintGate.BAD);
    }

    /** Flags that loading a livepatch sets by itself (K, O, E). */
    public Set<TaintFlag> expectedForLivepatch() {
        return withGate(TaintGate.EXPECTED_FOR_LIVEPATCH);
    }

    /** The taint this reading has that {@code before} did not: what happened in between. */
    public Taint addedSince(Taint before) {
        return decode(value & ~before.value);
    }

    /** The set letters in bit order, e.g. {@code "OEK"} for 45056; empty when clean. */
    public String letters() {
        return flags.stream().map(f -> String.valueOf(f.letter())).collect(Collectors.joining());
    }

    private Set<TaintFlag> withGate(TaintGate gate) {
        EnumSet<TaintFlag> out = EnumSet.noneOf(TaintFlag.class);
        flags.stream().filter(f -> f.gate() == gate).forEach(out::add);
        return Collections.unmodifiableSet(out);
    }
}
