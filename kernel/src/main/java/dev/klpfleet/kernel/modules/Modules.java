package dev.klpfleet.kernel.modules;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.SkippedLine;
import java.util.List;
import java.util.Optional;

/**
 * The modules loaded in a kernel, as {@code /proc/modules} lists them. The line format
 * {@code name size refcount used_by state address [(taints)]} is the same on 4.18, 6.1 and 6.12.
 *
 * @param loaded parsed lines in file order (most recently loaded first)
 * @param skipped lines that did not parse
 */
public record Modules(List<LoadedModule> loaded, List<SkippedLine> skipped) {

    public static final String PATH = "/proc/modules";

    public Modules {
        loaded = List.copyOf(loaded);
        skipped = List.copyOf(skipped);
    }

    /**
     * Reads {@value #PATH}; a kernel built without module support has no such file and yields an
     * empty list.
     */
    public static Modules read(KernelRoot root) {
        return root.read(PATH).map(Modules::parse).orElseGet(() -> new Modules(List.of(), List.of()));
    }

    /** Parses the text of {@code /proc/modules}; bad lines are skipped with a reason. */
    public static Modules parse(String text) {
        Parsed<LoadedModule> p = ModuleLineParser.parse(text);
        return new Modules(p.entries(), p.skipped());
    }

    /**
     * The module with this name, matched the way the kernel does: {@code -} and {@code _} are the
     * same character in module names (kernel/module: the name is normalized at load time).
     */
    public Optional<LoadedModule> find(String name) {
        String wanted = normalize(name);
        return loaded.stream().filter(m -> normalize(m.name()).equals(wanted)).findFirst();
    }

    /** Modules that set the livepatch taint ({@code K}). */
    public List<LoadedModule> livepatches() {
        return loaded.stream().filter(LoadedModule::isLivepatch).toList();
    }

    /** A module name as the kernel stores it: every {@code -} replaced by {@code _}. */
    public static String normalize(String name) {
        return name.replace('-', '_');
    }
}
