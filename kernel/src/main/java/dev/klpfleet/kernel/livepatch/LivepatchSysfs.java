package dev.klpfleet.kernel.livepatch;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads and drives {@code /sys/kernel/livepatch} (Documentation/ABI/testing/sysfs-kernel-livepatch).
 *
 * <p>Layout, stable since 4.12 except where noted: {@code <patch>/enabled}, {@code transition},
 * {@code force} (4.15+), {@code signal} (4.15-5.0), {@code replace} and {@code stack_order}
 * (6.11+), {@code <object>/patched} (6.0+), and one empty directory per function named
 * {@code <func>,<sympos>}. A patch directory disappears when its patch is freed (after a disable
 * completes, or after an atomic replace removed it), so every read tolerates a vanishing file.
 *
 * <p>This class never writes {@code force}: forcing marks tasks patched without checking their
 * stacks and pins the module forever.
 *
 * <p>Not final only so a test can make a write to {@code enabled} fail as the kernel can (EBUSY,
 * EINVAL), which no fixture file can be made to do for root.
 */
public class LivepatchSysfs {
    public static final String DIR = "/sys/kernel/livepatch";

    /** Per-patch attribute files; anything else in a patch directory that is a directory is an object. */
    private static final Set<String> PATCH_FILES = Set.of("enabled", "transition", "force", "signal", "replace", "stack_order");

    private final KernelRoot root;

    public LivepatchSysfs(KernelRoot root) {
        this.root = root;
    }

    /** Whether the running kernel was built with CONFIG_LIVEPATCH (the directory exists then, even with no patch). */
    public boolean supported() {
        return Files.isDirectory(root.path(DIR));
    }

    /** Every loaded patch, in name order. Patches that vanish while being read are left out. */
    public List<KlpPatch> patches() {
        List<KlpPatch> out = new ArrayList<>();
        for (String name : children(root.path(DIR), true)) {
            patch(name).ifPresent(out::add);
        }
        return out;
    }

    /** The patch named {@code name}, or empty when no such patch is loaded. */
    public Optional<KlpPatch> patch(String name) {
        String dir = DIR + "/" + name;
        Optional<Boolean> enabled = flag(dir + "/enabled");
        Optional<Boolean> transition = flag(dir + "/transition");
        if (enabled.isEmpty() || transition.isEmpty()) {
            return Optional.empty();
        }
        List<String> attributes = new ArrayList<>();
        List<KlpObject> objects = new ArrayList<>();
        for (String child : children(root.path(dir), false)) {
            if (PATCH_FILES.contains(child)) {
                attributes.add(child);
            } else if (Files.isDirectory(root.path(dir + "/" + child))) {
                objects.add(object(dir + "/" + child, child));
            }
        }
        attributes.sort(Comparator.naturalOrder());
        OptionalInt stackOrder = root.read(dir + "/stack_order")
                .map(String::trim).filter(s -> s.matches("\\d+"))
                .map(s -> OptionalInt.of(Integer.parseInt(s))).orElse(OptionalInt.empty());
        return Optional.of(new KlpPatch(name, enabled.get(), transition.get(), flag(dir + "/replace"),
                stackOrder, attributes, objects));
    }

    /** Cheap poll of one patch's {@code transition}; empty once the patch is gone. */
    public Optional<Boolean> transition(String patch) {
        return flag(DIR + "/" + patch + "/transition");
    }

    /** Cheap poll of one patch's {@code enabled}; empty once the patch is gone. */
    public Optional<Boolean> enabled(String patch) {
        return flag(DIR + "/" + patch + "/enabled");
    }

    /**
     * Writes {@code enabled}. Writing 0 while the patch is in transition reverses that transition
     * (kernel/livepatch/core.c enabled_store, 4.12+); writing the value it already has fails with
     * EINVAL, so callers check first.
     */
    public void setEnabled(String patch, boolean enabled) throws IOException {
        root.write(DIR + "/" + patch + "/enabled", enabled ? "1" : "0");
    }

    private KlpObject object(String dir, String name) {
        List<KlpFunc> funcs = new ArrayList<>();
        for (String child : children(root.path(dir), false)) {
            if (Files.isDirectory(root.path(dir + "/" + child))) {
                funcs.add(KlpFunc.fromDirName(child));
            }
        }
        funcs.sort(Comparator.comparing(KlpFunc::name).thenComparingInt(KlpFunc::sympos));
        return new KlpObject(name, flag(dir + "/patched"), funcs);
    }

    private Optional<Boolean> flag(String path) {
        return root.read(path).map(String::trim).flatMap(v -> switch (v) {
            case "1" -> Optional.of(true);
            case "0" -> Optional.of(false);
            default -> Optional.empty();
        });
    }

    private static List<String> children(Path dir, boolean directoriesOnly) {
        List<String> names = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!directoriesOnly || Files.isDirectory(p)) {
                    names.add(p.getFileName().toString());
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        names.sort(Comparator.naturalOrder());
        return names;
    }
}
