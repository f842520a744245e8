package dev.klpfleet.kernel.pin;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Chooses the CPU insmod runs on: the one with the fewest NET_RX+NET_TX+BLOCK softirqs over a short
 * window ({@link #WINDOW}), read from {@code /proc/softirqs} twice. Ties go to the highest-numbered
 * CPU (CPU 0 takes most device interrupts on machines without IRQ balancing).
 */
public final class InsmodPinning {
    /** Between the two readings of /proc/softirqs: long enough to see a busy NIC queue, short next to a load. */
    public static final Duration WINDOW = Duration.ofMillis(200);

    private final KernelRoot root;
    private final Pause pause;

    public InsmodPinning(KernelRoot root, Pause pause) {
        this.root = root;
        this.pause = pause;
    }

    /** A choice made, with the reading that ends its window (to count what happened during insmod from). */
    public record Choice(Pinning pinning, Softirqs end) {}

    /** The CPU to pin insmod to, or why not (one CPU, unreadable file). */
    public Choice choose() throws InterruptedException {
        Optional<Softirqs> first = read();
        if (first.isEmpty()) {
            return new Choice(Pinning.off("not pinned: /proc/softirqs unreadable"), null);
        }
        if (first.get().cpus().size() < 2) {
            return new Choice(Pinning.off("not pinned: one CPU online"), first.get());
        }
        pause.sleep(WINDOW);
        Optional<Softirqs> second = read();
        if (second.isEmpty()) {
            return new Choice(Pinning.off("not pinned: /proc/softirqs unreadable"), null);
        }
        List<Long> delta = first.get().deltaTo(second.get());
        List<Integer> cpus = second.get().cpus();
        int best = 0;
        for (int i = 1; i < delta.size(); i++) {
            if (delta.get(i) <= delta.get(best)) {
                best = i;
            }
        }
        String why = "CPU " + cpus.get(best) + " ran the fewest NET_RX+NET_TX+BLOCK softirqs (" + delta.get(best) + ") in "
                + WINDOW.toMillis() + " ms";
        return new Choice(new Pinning(cpus.get(best), why, WINDOW.toMillis(), cpus, delta, List.of(), null), second.get());
    }

    /** {@code choice}'s pinning with the softirqs from its window's end to now, and what the insmod process was allowed. */
    public Pinning after(Choice choice, String cpusAllowed) {
        Pinning p = choice.pinning();
        if (choice.end() == null) {
            return p;
        }
        List<Long> during = read().map(now -> choice.end().deltaTo(now)).orElse(List.of());
        return new Pinning(p.cpu(), p.why(), p.windowMillis(), p.cpus().isEmpty() ? choice.end().cpus() : p.cpus(),
                p.before(), during, p.cpu() == null ? null : cpusAllowed);
    }

    private Optional<Softirqs> read() {
        try {
            return root.read("/proc/softirqs").flatMap(Softirqs::parse);
        } catch (java.io.UncheckedIOException e) {
            return Optional.empty();
        }
    }
}
