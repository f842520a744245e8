package dev.klpfleet.patchbuild.symbols;

import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.symbols.ObjectSymbols.FtraceSites;
import dev.klpfleet.patchbuild.symbols.SystemMapReader.SymbolFile;
import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every symbol list one release offers, loaded on first use and kept: vmlinux (and the modules
 * that were loaded when it was captured) from its kallsyms capture or System.map, any other
 * module from its shipped file, and the functions ftrace can hook from the release's
 * {@code available_filter_functions}. Safe for use by one build thread at a time.
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
    private final Map<String, FtraceSites> ftraceSites;
    private final Map<String, Lookup> cache = new ConcurrentHashMap<>();
    private SymbolFile symbolFile;

    /**
     * @param vmlinuxSource the vmlinux symbol list, or why there is none
     * @param modules       the release's modules index, if known
     * @param ftraceSites   the hookable functions per object, from available_filter_functions; an
     *                      object absent here is judged by its other data
     */
    public SymbolCatalog(KernelRelease release, SymbolListSource.Located vmlinuxSource, Optional<ModulesIndex> modules,
                         Map<String, FtraceSites> ftraceSites) {
        this.release = release;
        this.vmlinuxSource = vmlinuxSource;
        this.modules = modules;
        this.ftraceSites = Map.copyOf(ftraceSites);
    }

    /**
     * The catalog of {@code release} as {@code search} finds it: the symbol list from
     * {@link SymbolListSource}; the modules index from the first {@code DIR/modules.dep-R}, else
     * {@code /lib/modules/R}; the ftrace sites from the first {@code DIR/available_filter_functions-R},
     * else, with host fallbacks, the running kernel's tracefs when R is running.
     *
     * @throws IOException if a file that exists cannot be read
     */
    public static SymbolCatalog of(KernelRoot root, KernelRelease release, SymbolSearch search) throws IOException {
        String r = release.name();
        Path modulesDir = root.path("/lib/modules/" + r);
        Optional<ModulesIndex> index = Optional.empty();
        Map<String, FtraceSites> sites = null;
        for (Path d : search.dirs()) {
            if (index.isEmpty()) {
                index = ModulesIndex.read(d.resolve("modules.dep-" + r), d.resolve("modules.builtin-" + r), modulesDir);
            }
            Path aff = d.resolve("available_filter_functions-" + r);
            if (sites == null && Files.isRegularFile(aff)) {
                sites = AvailableFilterFunctions.read(aff);
            }
        }
        if (index.isEmpty()) {
            index = ModulesIndex.read(modulesDir);
        }
        if (sites == null) {
            sites = search.hostFallbacks() ? runningKernelSites(root, release) : Map.of();
        }
        return new SymbolCatalog(release, SymbolListSource.locate(root, release, search), index, sites);
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
            FtraceSites sites = ftraceSites.get(object);
            if (l instanceof Lookup.Found f && sites != null) {
                return new Lookup.Found(f.symbols().withFtraceSites(sites));
            }
            return l;
        } catch (IOException | IllegalArgumentException e) {
            return new Lookup.Missing("cannot read symbols of " + object + " for " + release + ": " + e.getMessage());
        }
    }

    private Optional<SymbolFile> symbolFile() throws IOException {
        if (symbolFile == null && vmlinuxSource instanceof SymbolListSource.Located.Found f) {
            symbolFile = SystemMapReader.readAll(f.file());
        }
        return Optional.ofNullable(symbolFile);
    }

    private Lookup loadVmlinux() throws IOException {
        Optional<SymbolFile> file = symbolFile();
        if (file.isPresent()) {
            return new Lookup.Found(file.get().vmlinux());
        }
        return new Lookup.Missing(((SymbolListSource.Located.Missing) vmlinuxSource).reason());
    }

    /**
     * A module loaded when kallsyms was captured is read from there (the kernel's own view);
     * any other from its shipped file.
     */
    private Lookup loadModule(String object) throws IOException {
        Optional<ObjectSymbols> captured = symbolFile().map(f -> f.loadedModules().get(ModulesIndex.kernelName(object)));
        if (captured.isPresent()) {
            return new Lookup.Found(captured.get());
        }
        if (modules.isEmpty()) {
            return new Lookup.Missing("no modules index for " + release + " (neither /lib/modules/" + release
                    + "/modules.dep nor a captured modules.dep-" + release + ")");
        }
        Optional<ModulesIndex.Entry> e = modules.get().find(object);
        if (e.isEmpty() || e.get().builtin()) {
            return new Lookup.Missing("no loadable module " + object + " in " + release);
        }
        if (!Files.isRegularFile(e.get().path())) {
            return new Lookup.Missing(e.get().path() + " is listed in modules.dep but not installed, and " + object
                    + " was not loaded when kallsyms was captured (testbench/capture-symbols --modules " + object + ")");
        }
        return new Lookup.Found(ModuleSymbolsReader.read(object, e.get().path()));
    }

    /**
     * The running kernel's hookable functions per object, from
     * {@code /sys/kernel/tracing/available_filter_functions} (tracefs; {@code /sys/kernel/debug/tracing}
     * before 4.1). Empty unless {@code release} is the running kernel and the file is readable (root).
     */
    static Map<String, FtraceSites> runningKernelSites(KernelRoot root, KernelRelease release) throws IOException {
        if (root.read("/proc/sys/kernel/osrelease").filter(release.name()::equals).isEmpty()) {
            return Map.of();
        }
        for (String f : List.of("/sys/kernel/tracing/available_filter_functions",
                "/sys/kernel/debug/tracing/available_filter_functions")) {
            Path p = root.path(f);
            if (Files.isReadable(p)) {
                return AvailableFilterFunctions.read(p);
            }
        }
        return Map.of();
    }
}
