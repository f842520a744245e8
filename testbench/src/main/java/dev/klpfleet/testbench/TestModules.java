package dev.klpfleet.testbench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The test modules of {@code testbench/modules/} built for one kernel release.
 *
 * <p>{@link #forRelease} builds every module once per JVM with {@code build-module} into
 * {@code testbench/target/modules/RELEASE/} and reuses a {@code .ko} there when the SHA-256 of
 * its sources (stored next to it as {@code NAME.sources.sha256}) still matches, so a warm build
 * costs nothing and an edited source is rebuilt. Instances are safe to share between threads.
 */
public final class TestModules {
    /** Bound on building one module (about 2 s when the machine is idle). */
    static final Duration BUILD_LIMIT = Duration.ofMinutes(3);

    private static final Map<String, TestModules> BUILT = new ConcurrentHashMap<>();

    private final String release;
    private final Map<String, Path> kos;

    private TestModules(String release, Map<String, Path> kos) {
        this.release = release;
        this.kos = Map.copyOf(kos);
    }

    /** Returns the modules built for {@code line}'s installed release. */
    public static TestModules forLine(KernelLine line) {
        return forRelease(line.release());
    }

    /**
     * Returns every module of {@code testbench/modules/} built for {@code release} (a full release or a line).
     *
     * @throws TestbenchException if a module fails to build (the message carries the compiler output)
     */
    public static TestModules forRelease(String release) {
        String resolved = Kernels.release(release);
        return BUILT.computeIfAbsent(resolved, TestModules::build);
    }

    /** Returns the kernel release these modules were built for. */
    public String release() {
        return release;
    }

    /** Returns the built {@code .ko} of {@code module}. */
    public Path ko(TestModule module) {
        return ko(module.moduleName());
    }

    /**
     * Returns the built {@code .ko} of the module whose source directory is {@code testbench/modules/NAME}.
     *
     * @throws IllegalArgumentException if there is no such module
     */
    public Path ko(String name) {
        Path ko = kos.get(name);
        if (ko == null) {
            throw new IllegalArgumentException("no test module " + name + " (have " + new TreeMap<>(kos).keySet() + ")");
        }
        return ko;
    }

    /**
     * Copies every built {@code .ko} into {@code dir} (created if missing), e.g. a directory the
     * guest sees through {@link Vm#share}, and returns {@code dir}.
     */
    public Path copyAllTo(Path dir) {
        try {
            Files.createDirectories(dir);
            for (Path ko : kos.values()) {
                Files.copy(ko, dir.resolve(ko.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static TestModules build(String release) {
        Path out = Testbench.dir().resolve("target").resolve("modules").resolve(release);
        Map<String, Path> kos = new TreeMap<>();
        try {
            Files.createDirectories(out);
            for (Path source : sourceDirs()) {
                String name = source.getFileName().toString();
                kos.put(name, buildOne(release, name, source, out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new TestModules(release, kos);
    }

    private static Path buildOne(String release, String name, Path source, Path out) throws IOException {
        Path ko = out.resolve(name + ".ko");
        Path stamp = out.resolve(name + ".sources.sha256");
        String digest = sourceDigest(source);
        if (Files.isRegularFile(ko) && Files.isRegularFile(stamp) && Files.readString(stamp).strip().equals(digest)) {
            return ko;
        }
        Files.deleteIfExists(stamp);
        HostCommand.Result result = new HostCommand(List.of(
                Testbench.script("build-module").toString(), "--kernel", release, source.toString(), out.toString()),
                BUILD_LIMIT).run();
        if (!result.succeeded()) {
            throw new TestbenchException("building test module " + name + " for " + release + " failed:\n" + result.stderr());
        }
        if (!Files.isRegularFile(ko)) {
            throw new TestbenchException("building test module " + name + " for " + release
                    + " produced no " + ko.getFileName() + " (obj-m must be " + name + ".o)");
        }
        Files.writeString(stamp, digest + "\n");
        return ko;
    }

    private static List<Path> sourceDirs() throws IOException {
        try (Stream<Path> dirs = Files.list(Testbench.moduleSources())) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("Kbuild")) || Files.isRegularFile(d.resolve("Makefile")))
                    .sorted()
                    .toList();
        }
    }

    /** SHA-256 over every regular file's relative name and content, in name order. */
    private static String sourceDigest(Path source) throws IOException {
        MessageDigest sha = sha256();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                sha.update(source.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
                sha.update(Files.readAllBytes(file));
                sha.update((byte) 0);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
