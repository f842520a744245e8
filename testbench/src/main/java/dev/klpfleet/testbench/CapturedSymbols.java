package dev.klpfleet.testbench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A release's own symbol data, captured from the real kernel by {@code testbench/capture-symbols}
 * for {@code klpfleet build --symbols DIR}: {@code kallsyms-R}, {@code available_filter_functions-R},
 * {@code modules.dep-R} and {@code modules.builtin-R}. The script caches each capture in
 * {@code /var/tmp/klpfleet-symbols/R/}, so a machine boots each kernel for it once, not once per test.
 */
public final class CapturedSymbols {
    /** Bound on one capture: a guest boot (a minute or two on a loaded 2-core machine) plus copying. */
    static final Duration CAPTURE_LIMIT = Duration.ofMinutes(12);

    private CapturedSymbols() {
    }

    /**
     * Captures (or takes from the cache) {@code line}'s symbol data into {@code dir} and returns {@code dir}.
     *
     * @param modules modules to load in the guest before the capture, so their symbols and ftrace
     *                sites are in it
     * @throws TestbenchException if the kernel is not installed or the capture fails
     */
    public static Path into(Path dir, KernelLine line, String... modules) {
        List<String> argv = new ArrayList<>(List.of(Testbench.script("capture-symbols").toString(), "--kernel", line.release()));
        if (modules.length > 0) {
            argv.add("--modules");
            argv.add(String.join(",", modules));
        }
        argv.add(dir.toString());
        HostCommand.Result r = new HostCommand(argv, CAPTURE_LIMIT).run();
        if (!r.succeeded()) {
            throw new TestbenchException("capture-symbols --kernel " + line.release() + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip());
        }
        return dir;
    }
}
