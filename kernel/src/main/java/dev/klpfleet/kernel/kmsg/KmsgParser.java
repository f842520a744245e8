package dev.klpfleet.kernel.kmsg;

import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.SkippedLine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Parses {@code /dev/kmsg} record text. Pure: no I/O. */
public final class KmsgParser {

    private KmsgParser() {}

    /**
     * Parses text holding any number of records (one read of {@code /dev/kmsg} holds exactly one; a
     * saved dump holds many). A header line that does not parse is skipped with its continuation
     * lines; a continuation line with no record before it is skipped.
     */
    public static Parsed<KmsgRecord> parse(String text) {
        List<KmsgRecord> out = new ArrayList<>();
        List<SkippedLine> skipped = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        int i = 0;
        while (i < lines.length) {
            String header = lines[i];
            int headerLine = i + 1;
            i++;
            if (header.isEmpty()) {
                continue;
            }
            if (header.startsWith(" ")) {
                skipped.add(new SkippedLine(headerLine, header, "continuation line without a record"));
                continue;
            }
            StringBuilder raw = new StringBuilder(header);
            Map<String, String> props = new LinkedHashMap<>();
            while (i < lines.length && lines[i].startsWith(" ")) {
                String kv = lines[i].substring(1);
                int eq = kv.indexOf('=');
                if (eq > 0) {
                    props.put(kv.substring(0, eq), kv.substring(eq + 1));
                }
                raw.append('\n').append(lines[i]);
                i++;
            }
            try {
                out.add(record(header, props, raw.toString()));
            } catch (IllegalArgumentException e) {
                skipped.add(new SkippedLine(headerLine, header, e.getMessage()));
            }
        }
        return new Parsed<>(out, skipped);
    }

    static KmsgRecord record(String header, Map<String, String> props, String raw) {
        int semi = header.indexOf(';');
        if (semi < 0) {
            throw new IllegalArgumentException("no ';' between prefix and message");
        }
        // Fields after the 4th (e.g. caller=T123 with CONFIG_PRINTK_CALLER) are ignored, as the ABI asks.
        String[] f = header.substring(0, semi).split(",");
        if (f.length < 4) {
            throw new IllegalArgumentException("prefix is not 'PRIORITY,SEQUENCE,TIMESTAMP,FLAGS'");
        }
        try {
            int priority = Integer.parseInt(f[0]);
            long seq = Long.parseLong(f[1]);
            long usec = Long.parseLong(f[2]);
            if (priority < 0 || seq < 0 || usec < 0) {
                throw new IllegalArgumentException("negative number in prefix");
            }
            return new KmsgRecord(priority >> 3, KmsgLevel.of(priority), seq, Duration.ofNanos(usec * 1000),
                    header.substring(semi + 1), props, raw);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("prefix holds a non-number: '" + header.substring(0, semi) + "'");
        }
    }
}
