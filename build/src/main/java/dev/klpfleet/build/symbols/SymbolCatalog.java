package dev.klpfleet.build.symbols;

import dev.klpfleet.build.release.KernelRelease;
import dev.klpfleet.build.symbols.ObjectSymbols.FtraceSites;
import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every symbol list one release offers, loaded on first use and kept: vmlinux from its
 * System.map, a module from its shipped file, and, when the release is the running kernel,
 * the functions ftrace can hook. Safe for use by one build thread at a time.
 */
public final class SymbolCatalog {
    /** Symbols of an object, or why there are none. */
    public sealed interface Lookup {
        record Found(ObjectSymbols symbols) implements Lookup {}
        record Missing(String reason) implements Lookup {}
    }

    private final KernelRelease release;
    private final SymbolListSource.Located vmlinuxSource;
    private final Optional<ModulesIndex> modules;
    private final Map<String, FtraceSites> runningKernelSites;
    private final Map<String, Lookup> cache = new ConcurrentHashMap<>();

    public SymbolCatalog(KernelRelease release, SymbolListSource.Located vmlinuxSource, Optional<ModulesIndex> modules,
                         Map<String, FtraceSites> runningKernelSites) {
        this.release = release;
        this.vmlinuxSource = vmlinuxSource;
        this.modules = modules;
        this.runningKernelSites = Map.copyOf(runningKernelSites);
    }

    /** The catalog of an installed release: its System.map (see {@link SymbolListSource}) and /lib/modules. */
    public static SymbolCatalog of(KernelRoot root, KernelRelease release, List<Path> extraSymbolDirs) throws IOException {
        return new SymbolCatalog(release, SymbolListSource.locate(root, release, extraSymbolDirs),
                ModulesIndex.read(root.path("/lib/modules/" + release.name())), runningKernelSites(root, release));
    }

    public KernelRelease release() {
        return release;
    }

    public Optional<ModulesIndex> modules() {
        return modules;
    }

    /** The symbols of {@code object} ({@code vmlinux} or a module name), read once. */
    public Lookup symbols(String object) {
        return cache.computeIfAbsent(object, this::load);
    }

    private Lookup load(String object) {
        try {
            Lookup l = "vmlinux".equals(object) ? loadVmlinux() : loadModule(object);
            FtraceSites sites = runningKernelSites.get(object);
            if (l instanceof Lookup.Found f && sites != null) {
                return new Lookup.Found(f.symbols().withFtraceSites(sites));
            }
            return l;
        } catch (IOException | IllegalArgumentException e) {
            return new Lookup.Missing("cannot read symbols of " + object + " for " + release + ": " + e.getMessage());
        }
    }

    private Lookup loadVmlinux() throws IOException {
        if (vmlinuxSource instanceof SymbolListSource.Located.Found f) {
            return new Lookup.Found(SystemMapReader.read(f.file()));
        }
        return new Lookup.Missing(((SymbolListSource.Located.Missing) vmlinuxSource).reason());
    }

    private Lookup loadModule(String object) throws IOException {
        if (modules.isEmpty()) {
            return new Lookup.Missing("no /lib/modules/" + release + "/modules.dep on this host");
        }
        Optional<ModulesIndex.Entry> e = modules.get().find(object);
        if (e.isEmpty() || e.get().builtin()) {
            return new Lookup.Missing("no loadable module " + object + " in " + release);
        }
        if (!Files.isRegularFile(e.get().path())) {
            return new Lookup.Missing(e.get().path() + " is listed in modules.dep but not installed");
        }
        return new Lookup.Found(ModuleSymbolsReader.read(object, e.get().path()));
    }

    /**
     * The running kernel's hookable functions per object, from
     * {@code /sys/kernel/tracing/available_filter_functions} (tracefs; {@code /sys/kernel/debug/tracing}
     * before 4.1), whose lines are {@code name} or {@code name [module]}. Empty unless
     * {@code release} is the running kernel and the file is readable (root).
     */
    static Map<String, FtraceSites> runningKernelSites(KernelRoot root, KernelRelease release) {
        if (root.read("/proc/sys/kernel/osrelease").filter(release.name()::equals).isEmpty()) {
            return Map.of();
        }
        for (String f : List.of("/sys/kernel/tracing/available_filter_functions",
                "/sys/kernel/debug/tracing/available_filter_functions")) {
            Path p = root.path(f);
            if (!Files.isReadable(p)) {
                continue;
            }
            Map<String, Set<String>> byObject = new HashMap<>();
            try {
                for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length == 0 || parts[0].isEmpty()) {
                        continue;
                    }
                    String object = parts.length > 1 && parts[1].startsWith("[") ? parts[1].replaceAll("[\\[\\]]", "") : "vmlinux";
                    byObject.computeIfAbsent(object, k -> new HashSet<>()).add(parts[0]);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Map<String, FtraceSites> out = new HashMap<>();
            byObject.forEach((o, names) -> out.put(o, new FtraceSites(names, f)));
            return out;
        }
        return Map.of();
    }
}
