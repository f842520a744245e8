package dev.klpfleet.patchbuild.symbols;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The modules a release ships, from depmod's {@code /lib/modules/R/modules.dep} (loadable) and
 * {@code modules.builtin} (built into vmlinux). Keys are the names the kernel uses
 * ({@code mod->name}): the file name without {@code .ko*}, with every {@code -} turned into
 * {@code _}, as kbuild does for {@code KBUILD_MODNAME}.
 */
public final class ModulesIndex {
    /** Where a module comes from, and its file name as shipped (which may spell it with '-'). */
    public record Entry(String name, String fileName, Path path, boolean builtin) {}

    private final Map<String, Entry> byName;

    private ModulesIndex(Map<String, Entry> byName) {
        this.byName = Map.copyOf(byName);
    }

    /** Reads the index of {@code modulesDir}; empty when modules.dep is absent. */
    public static Optional<ModulesIndex> read(Path modulesDir) throws IOException {
        return read(modulesDir.resolve("modules.dep"), modulesDir.resolve("modules.builtin"), modulesDir);
    }

    /**
     * Reads an index from {@code dep} and {@code builtin} (either depmod's files or captures of
     * them, whose {@code #} header lines are skipped); module paths resolve under {@code modulesDir}.
     * Empty when {@code dep} is absent; a missing {@code builtin} means nothing is built in.
     */
    public static Optional<ModulesIndex> read(Path dep, Path builtin, Path modulesDir) throws IOException {
        if (!Files.isRegularFile(dep)) {
            return Optional.empty();
        }
        Map<String, Entry> map = new HashMap<>();
        if (Files.isRegularFile(builtin)) {
            for (String line : Files.readAllLines(builtin, StandardCharsets.UTF_8)) {
                if (!line.startsWith("#")) {
                    add(map, modulesDir, line.strip(), true);
                }
            }
        }
        for (String line : Files.readAllLines(dep, StandardCharsets.UTF_8)) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith("#")) {
                add(map, modulesDir, line.substring(0, colon), false);
            }
        }
        return Optional.of(new ModulesIndex(map));
    }

    private static void add(Map<String, Entry> map, Path dir, String relative, boolean builtin) {
        if (relative.isEmpty()) {
            return;
        }
        String file = relative.substring(relative.lastIndexOf('/') + 1);
        int ko = file.indexOf(".ko");
        String base = ko > 0 ? file.substring(0, ko) : file;
        String name = kernelName(base);
        map.put(name, new Entry(name, base, dir.resolve(relative), builtin));
    }

    /** The name the kernel gives a module built from {@code file}: '-' becomes '_'. */
    public static String kernelName(String file) {
        return file.replace('-', '_');
    }

    /** The module the kernel would call {@code kernelName(name)}, whatever its '-'/'_' spelling. */
    public Optional<Entry> find(String name) {
        return Optional.ofNullable(byName.get(kernelName(name)));
    }

    public List<Entry> entries() {
        return List.copyOf(byName.values());
    }
}
