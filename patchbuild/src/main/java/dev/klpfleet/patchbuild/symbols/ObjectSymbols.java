package dev.klpfleet.patchbuild.symbols;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The symbols of one kernel object (vmlinux or a module) in kallsyms order, which is what
 * {@code klp_func.old_sympos} counts in (kernel/livepatch/core.c, {@code klp_find_callback}:
 * every symbol of that name counts, whatever its type). Immutable once built.
 */
public final class ObjectSymbols {
    private final String object;
    private final String source;
    private final TreeMap<String, List<KernelSymbol>> byName;
    private final List<NotraceRange> notrace;
    private final int count;
    private final List<KernelSymbol> inOrder;
    private final Optional<FtraceSites> ftraceSites;

    /**
     * The functions ftrace can hook in this object, when the data says: a module file's
     * {@code __mcount_loc} call sites, or {@code available_filter_functions} (captured from the
     * release with testbench/capture-symbols, or the running kernel's own).
     *
     * @param functions names of functions with an ftrace call site
     * @param origin    which kind of data the list is, which decides what its absence means
     * @param source    where that list came from, for messages
     */
    public record FtraceSites(Set<String> functions, Origin origin, String source) {
        /** The kind of data an ftrace site list was read from. */
        public enum Origin {
            /** A module file's {@code __mcount_loc}: the fentry calls the compiler emitted. */
            MCOUNT_LOC,
            /** ftrace's own list of the functions it can hook, read from the running release. */
            AVAILABLE_FILTER_FUNCTIONS
        }

        public FtraceSites {
            functions = Set.copyOf(functions);
        }
    }

    /**
     * A text range whose functions ftrace never instruments, bounded by linker symbols that
     * System.map carries (e.g. {@code __noinstr_text_start}/{@code __noinstr_text_end}).
     */
    public record NotraceRange(String section, long start, long end, String why) {
        boolean contains(long address) {
            return Long.compareUnsigned(address, start) >= 0 && Long.compareUnsigned(address, end) < 0;
        }
    }

    ObjectSymbols(String object, String source, List<KernelSymbol> inOrder, List<NotraceRange> notrace,
                  Optional<FtraceSites> ftraceSites) {
        this.ftraceSites = ftraceSites;
        this.inOrder = List.copyOf(inOrder);
        this.object = object;
        this.source = source;
        TreeMap<String, List<KernelSymbol>> map = new TreeMap<>();
        for (KernelSymbol s : inOrder) {
            map.computeIfAbsent(s.name(), k -> new ArrayList<>(1)).add(s);
        }
        map.replaceAll((k, v) -> List.copyOf(v));
        this.byName = map;
        this.notrace = List.copyOf(notrace);
        this.count = inOrder.size();
    }

    /** The object these symbols belong to: {@code vmlinux} or a module name. */
    public String object() {
        return object;
    }

    /** Where the symbols were read from, for messages: a file path. */
    public String source() {
        return source;
    }

    public int size() {
        return count;
    }

    /** Every symbol with exactly this name, in kallsyms order; sympos N is element N-1. */
    public List<KernelSymbol> named(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /**
     * Names gcc derived from {@code name} by cloning or splitting it ({@code name.constprop.0},
     * {@code name.isra.0}, {@code name.part.0}, {@code name.cold}): when only those exist, the
     * original was specialised or inlined away and patching {@code name} misses its callers.
     */
    public List<String> compilerVariantsOf(String name) {
        // '/' is the character after '.', so this is every key starting with "name.".
        return List.copyOf(byName.subMap(name + ".", true, name + "/", false).keySet());
    }

    /** The notrace text range holding {@code address}, if any. */
    public Optional<NotraceRange> notraceRangeOf(long address) {
        return notrace.stream().filter(r -> r.contains(address)).findFirst();
    }

    /** The functions ftrace can hook, when known for this object. */
    public Optional<FtraceSites> ftraceSites() {
        return ftraceSites;
    }

    /** The same symbols with the ftrace call sites given (the running kernel's tracing data). */
    public ObjectSymbols withFtraceSites(FtraceSites sites) {
        return new ObjectSymbols(object, source, inOrder, notrace, Optional.of(sites));
    }

    /** Whether this symbol list carries the section markers {@link #notraceRangeOf} relies on. */
    public boolean hasNotraceMarkers() {
        return !notrace.isEmpty();
    }

}
