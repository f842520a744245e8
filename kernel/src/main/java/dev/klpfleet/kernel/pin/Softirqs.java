package dev.klpfleet.kernel.pin;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One reading of {@code /proc/softirqs}: per CPU, how many softirqs of each kind it has run since
 * boot (kernel/softirq.c, the file exists since 2.6.31). A header line names the CPUs
 * ({@code CPU0 CPU1 ...}, only online ones), then one line per kind ({@code NET_RX: 12 40}).
 *
 * @param cpus     the CPU numbers of the columns, from the header
 * @param activity per column, NET_RX + NET_TX + BLOCK: the softirqs a starved ksoftirqd delays
 *                 (packets, I/O completions); timers and RCU are left out, they run everywhere
 */
public record Softirqs(List<Integer> cpus, List<Long> activity) {
    public static final List<String> COUNTED = List.of("NET_RX", "NET_TX", "BLOCK");

    public Softirqs {
        cpus = List.copyOf(cpus);
        activity = List.copyOf(activity);
    }

    /** Parses the file's text; empty when it has no CPU header or none of the counted kinds. */
    public static Optional<Softirqs> parse(String text) {
        List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        List<Integer> cpus = new ArrayList<>();
        for (String h : lines.get(0).trim().split("\\s+")) {
            if (!h.startsWith("CPU")) {
                return Optional.empty();
            }
            try {
                cpus.add(Integer.parseInt(h.substring(3)));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        long[] sum = new long[cpus.size()];
        int counted = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] f = l.trim().split("\\s+");
            if (f.length < 1 + cpus.size() || !COUNTED.contains(f[0].replace(":", ""))) {
                continue;
            }
            try {
                for (int i = 0; i < cpus.size(); i++) {
                    sum[i] += Long.parseLong(f[i + 1]);
                }
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
            counted++;
        }
        if (counted == 0 || cpus.isEmpty()) {
            return Optional.empty();
        }
        List<Long> activity = new ArrayList<>();
        for (long v : sum) {
            activity.add(v);
        }
        return Optional.of(new Softirqs(cpus, activity));
    }

    /**
     * Per CPU of {@code later}, how many counted softirqs ran since this reading (CPUs of {@code later}
     * this reading lacks, e.g. one brought online between the two, count from 0).
     */
    public List<Long> deltaTo(Softirqs later) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < later.cpus.size(); i++) {
            int j = cpus.indexOf(later.cpus.get(i));
            out.add(later.activity.get(i) - (j < 0 ? 0 : activity.get(j)));
        }
        return out;
    }
}
