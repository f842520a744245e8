package dev.klpfleet.kernel.impact;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parsers for the procfs files the impact sampler reads. Each returns empty on unreadable input. */
final class ProcReaders {

    private static final Pattern KSOFTIRQD = Pattern.compile("ksoftirqd/(\\d+)");
    private static final Pattern PSI = Pattern.compile(
            "^(some|full) avg10=([\\d.]+) avg60=([\\d.]+) avg300=([\\d.]+) total=(\\d+)$");

    private ProcReaders() {}

    /** Every {@code ksoftirqd/N} thread with its run delay; threads that vanish mid-scan are left out. */
    static List<KsoftirqdDelay> ksoftirqd(KernelRoot root) {
        List<KsoftirqdDelay> out = new ArrayList<>();
        Path proc = root.path("/proc");
        if (!Files.isDirectory(proc)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path dir : dirs) {
                String pid = dir.getFileName().toString();
                Optional<String> comm = root.read("/proc/" + pid + "/comm");
                Matcher m = comm.map(String::strip).map(KSOFTIRQD::matcher).filter(Matcher::matches).orElse(null);
                if (m == null) {
                    continue;
                }
                int cpu = Integer.parseInt(m.group(1));
                root.read("/proc/" + pid + "/schedstat").flatMap(ProcReaders::runDelay)
                        .ifPresent(d -> out.add(new KsoftirqdDelay(cpu, Integer.parseInt(pid), d)));
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + proc + ": " + e.getMessage(), e);
        }
        out.sort(Comparator.comparingInt(KsoftirqdDelay::cpu));
        return out;
    }

    /** {@code /proc/PID/schedstat}: "cpu_time_ns run_delay_ns timeslices". */
    static Optional<Long> runDelay(String schedstat) {
        String[] f = schedstat.strip().split("\\s+");
        if (f.length < 2) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(f[1]));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** The Tcp header and value lines of {@code /proc/net/snmp}, zipped by position. */
    static Optional<TcpCounters> tcp(String snmp) {
        String header = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Tcp:")) {
                continue;
            }
            if (header == null) {
                header = line;
                continue;
            }
            String[] names = header.substring(4).trim().split("\\s+");
            String[] values = line.substring(4).trim().split("\\s+");
            if (names.length != values.length) {
                return Optional.empty();
            }
            Map<String, Long> map = new HashMap<>();
            for (int i = 0; i < names.length; i++) {
                try {
                    map.put(names[i], Long.parseLong(values[i]));
                } catch (NumberFormatException e) {
                    return Optional.empty();
                }
            }
            return Optional.of(new TcpCounters(map));
        }
        return Optional.empty();
    }

    static Optional<Pressure> pressure(String text) {
        PressureLine some = null;
        PressureLine full = null;
        for (String line : text.split("\n")) {
            Matcher m = PSI.matcher(line.strip());
            if (!m.matches()) {
                continue;
            }
            PressureLine p = new PressureLine(Double.parseDouble(m.group(2)), Double.parseDouble(m.group(3)),
                    Double.parseDouble(m.group(4)), Long.parseLong(m.group(5)));
            if (m.group(1).equals("some")) {
                some = p;
            } else {
                full = p;
            }
        }
        return some == null ? Optional.empty() : Optional.of(new Pressure(some, Optional.ofNullable(full)));
    }

    /**
     * {@code /proc/PID/stat}. The command name (field 2) is in parentheses and may contain spaces and
     * parentheses itself, so fields are counted from the last ')'.
     */
    static Optional<ProcessCpu> processCpu(int pid, String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return Optional.empty();
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // After ')': f[0] is field 3 (state), so utime (field 14) is f[11] and stime (15) is f[12].
        if (f.length < 13) {
            return Optional.empty();
        }
        try {
            return Optional.of(new ProcessCpu(pid, Long.parseLong(f[11]), Long.parseLong(f[12])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
