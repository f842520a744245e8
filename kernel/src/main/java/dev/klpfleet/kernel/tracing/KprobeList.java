package dev.klpfleet.kernel.tracing;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.SkippedLine;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code kprobes/list}. Line format (kernel/kprobes.c, report_probe, unchanged from 4.18 to
 * 6.12): {@code ADDRESS  TYPE  SYMBOL+0xOFFSET  MODULE [GONE][DISABLED][OPTIMIZED][FTRACE]}, the
 * module blank for vmlinux; when kallsyms has no name the symbol is printed with {@code %pS}
 * ({@code SYMBOL+0xOFF/0xLEN [MODULE]}).
 */
public final class KprobeList {

    /** debugfs only; there is no tracefs copy. */
    public static final String PATH = "/sys/kernel/debug/kprobes/list";

    private static final Pattern SYMBOL = Pattern.compile("^(.+)\\+0x([0-9a-fA-F]+)(?:/0x[0-9a-fA-F]+)?$");
    private static final Pattern STATES = Pattern.compile("^(\\[(GONE|DISABLED|OPTIMIZED|FTRACE)\\])+$");
    private static final Pattern STATE = Pattern.compile("\\[(GONE|DISABLED|OPTIMIZED|FTRACE)\\]");

    private KprobeList() {}

    /** @return empty when debugfs is not mounted or the kernel has no kprobes */
    public static Optional<Parsed<Kprobe>> read(KernelRoot root) {
        return root.read(PATH).map(KprobeList::parse);
    }

    public static Parsed<Kprobe> parse(String text) {
        List<Kprobe> out = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].isBlank()) {
                continue;
            }
            try {
                out.add(parseLine(lines[i]));
            } catch (IllegalArgumentException e) {
                skipped.add(new SkippedLine(i + 1, lines[i], e.getMessage()));
            }
        }
        return new Parsed<>(out, skipped);
    }

    static Kprobe parseLine(String line) {
        String[] f = line.strip().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("expected 'ADDRESS TYPE SYMBOL+OFFSET', found " + f.length + " fields");
        }
        if (!f[0].matches("(0x)?[0-9a-fA-F]+")) {
            throw new IllegalArgumentException("address is not hex: '" + f[0] + "'");
        }
        KprobeType type = switch (f[1]) {
            case "k" -> KprobeType.KPROBE;
            case "r" -> KprobeType.KRETPROBE;
            case "j" -> KprobeType.JPROBE;
            default -> throw new IllegalArgumentException("unknown probe type '" + f[1] + "'");
        };
        Matcher s = SYMBOL.matcher(f[2]);
        if (!s.matches()) {
            throw new IllegalArgumentException("symbol is not 'NAME+0xOFFSET': '" + f[2] + "'");
        }
        Optional<String> module = Optional.empty();
        EnumSet<KprobeState> states = EnumSet.noneOf(KprobeState.class);
        for (int k = 3; k < f.length; k++) {
            if (STATES.matcher(f[k]).matches()) {
                Matcher st = STATE.matcher(f[k]);
                while (st.find()) {
                    states.add(KprobeState.valueOf(st.group(1)));
                }
            } else {
                module = Optional.of(f[k].replaceAll("^\\[|\\]$", ""));
            }
        }
        return new Kprobe(f[0], type, s.group(1), Long.parseLong(s.group(2), 16), module, states, line);
    }
}
