package dev.klpfleet.patchbuild.symbols;

import dev.klpfleet.patchbuild.symbols.ObjectSymbols.NotraceRange;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads a System.map ({@code ADDR TYPE NAME}, address order, as scripts/mksysmap writes it) or a
 * {@code /proc/kallsyms} dump (the same for vmlinux, then {@code ADDR TYPE NAME\t[module]} for
 * each loaded module's symbols, in that module's symbol-table order). Lines starting with
 * {@code #} are a capture's header (testbench/capture-symbols) and are skipped.
 */
public final class SystemMapReader {
    /**
     * Linker-script markers of text that ftrace does not instrument, present in System.map on
     * x86-64 since 5.8 ({@code noinstr}, include/asm-generic/vmlinux.lds.h). Functions there are
     * {@code notrace}, so a livepatch (an ftrace user) cannot hook them; init text is freed after boot.
     */
    private static final List<String[]> NOTRACE_SECTIONS = List.of(
            new String[] {".noinstr.text", "__noinstr_text_start", "__noinstr_text_end", "noinstr functions are notrace"},
            new String[] {".entry.text", "__entry_text_start", "__entry_text_end", "entry code is not traced"},
            new String[] {".cpuidle.text", "__cpuidle_text_start", "__cpuidle_text_end", "cpuidle code is noinstr"},
            new String[] {".init.text", "_sinittext", "_einittext", "init code is freed after boot"});

    private SystemMapReader() {}

    /**
     * The objects a symbol file describes.
     *
     * @param vmlinux       the kernel image's symbols
     * @param loadedModules symbols of each module that was loaded when a kallsyms dump was taken,
     *                      by module name; empty for a System.map
     */
    public record SymbolFile(ObjectSymbols vmlinux, Map<String, ObjectSymbols> loadedModules) {
        public SymbolFile {
            loadedModules = Map.copyOf(loadedModules);
        }
    }

    /**
     * Reads a System.map or kallsyms file's vmlinux symbols.
     *
     * @throws IOException             if it cannot be read
     * @throws IllegalArgumentException if a line is not {@code ADDR TYPE NAME}, naming the line
     */
    public static ObjectSymbols read(Path file) throws IOException {
        return readAll(file).vmlinux();
    }

    /**
     * Reads a System.map or kallsyms file, loaded modules' symbols included.
     *
     * @throws IOException             if it cannot be read
     * @throws IllegalArgumentException if a line is not {@code ADDR TYPE NAME[\t[module]]}, naming the line
     */
    public static SymbolFile readAll(Path file) throws IOException {
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(r, file.toString());
        }
    }

    static SymbolFile read(BufferedReader r, String source) throws IOException {
        List<KernelSymbol> symbols = new ArrayList<>(200_000);
        Map<String, List<KernelSymbol>> modules = new LinkedHashMap<>();
        Map<String, Long> markers = new HashMap<>();
        int lineNo = 0;
        for (String line; (line = r.readLine()) != null; ) {
            lineNo++;
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String module = null;
            int tab = line.indexOf('\t');
            if (tab > 0) {
                int close = line.indexOf(']', tab);
                if (line.length() <= tab + 2 || line.charAt(tab + 1) != '[' || close < 0) {
                    throw new IllegalArgumentException(source + ":" + lineNo + ": not a kallsyms module line: '" + line + "'");
                }
                module = line.substring(tab + 2, close);
                line = line.substring(0, tab);
            }
            int s1 = line.indexOf(' ');
            int s2 = s1 < 0 ? -1 : line.indexOf(' ', s1 + 1);
            if (s1 != 16 || s2 != 18) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": not a System.map line: '" + line + "'");
            }
            long address;
            try {
                address = Long.parseUnsignedLong(line, 0, 16, 16);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + ":" + lineNo + ": bad address in '" + line + "'");
            }
            String name = line.substring(s2 + 1).strip();
            KernelSymbol symbol = new KernelSymbol(address, line.charAt(17), name);
            if (module != null) {
                modules.computeIfAbsent(module, k -> new ArrayList<>()).add(symbol);
                continue;
            }
            symbols.add(symbol);
            markers.putIfAbsent(name, address);
        }
        List<NotraceRange> notrace = new ArrayList<>();
        for (String[] s : NOTRACE_SECTIONS) {
            Long start = markers.get(s[1]);
            Long end = markers.get(s[2]);
            if (start != null && end != null && Long.compareUnsigned(start, end) < 0) {
                notrace.add(new NotraceRange(s[0], start, end, s[3]));
            }
        }
        Map<String, ObjectSymbols> loaded = new LinkedHashMap<>();
        modules.forEach((m, list) -> loaded.put(m, new ObjectSymbols(m, source + " [" + m + "]", list, List.of(), Optional.empty())));
        return new SymbolFile(new ObjectSymbols("vmlinux", source, symbols, notrace, Optional.empty()), loaded);
    }
}
