package dev.klpfleet.kernel.module;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@code key=value} strings of a module's {@code .modinfo} section, NUL-separated (the format
 * {@code MODULE_INFO()} and modpost write and {@code modinfo(8)} reads; stable since 2.6).
 */
record Modinfo(List<Entry> entries) {

    record Entry(String key, String value) {}

    static Modinfo parse(ByteBuffer section) {
        List<Entry> entries = new ArrayList<>();
        int start = 0;
        int limit = section.limit();
        for (int i = 0; i <= limit; i++) {
            if (i == limit || section.get(i) == 0) {
                if (i > start) {
                    byte[] raw = new byte[i - start];
                    section.get(start, raw);
                    String s = new String(raw, StandardCharsets.UTF_8);
                    int eq = s.indexOf('=');
                    if (eq > 0) {
                        entries.add(new Entry(s.substring(0, eq), s.substring(eq + 1)));
                    }
                }
                start = i + 1;
            }
        }
        return new Modinfo(List.copyOf(entries));
    }

    /** The first value of {@code key}; modpost writes name, vermagic, depends and srcversion once. */
    Optional<String> first(String key) {
        return entries.stream().filter(e -> e.key().equals(key)).map(Entry::value).findFirst();
    }
}
