package dev.klpfleet.kernel.tracing;

import java.util.Optional;
import java.util.Set;

/**
 * One line of {@code /sys/kernel/debug/kprobes/list}.
 *
 * @param address probe address in hex; all zeros when kallsyms hides addresses from the reader
 * @param type probe kind
 * @param symbol probed function
 * @param offset byte offset into {@code symbol}; 0 is the function entry
 * @param module owning module, empty for vmlinux
 * @param states bracketed markers
 * @param raw the line as read
 */
public record Kprobe(
        String address,
        KprobeType type,
        String symbol,
        long offset,
        Optional<String> module,
        Set<KprobeState> states,
        String raw) {

    public Kprobe {
        states = Set.copyOf(states);
    }

    /** A live probe fires; a disabled or gone one does not. */
    public boolean isActive() {
        return !states.contains(KprobeState.GONE) && !states.contains(KprobeState.DISABLED);
    }
}
