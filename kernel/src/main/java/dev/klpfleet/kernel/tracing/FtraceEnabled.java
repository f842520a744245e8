package dev.klpfleet.kernel.tracing;

import dev.klpfleet.kernel.KernelRoot;
import java.util.Optional;

/** The {@code kernel.ftrace_enabled} sysctl. Livepatch cannot patch while it is 0. */
public final class FtraceEnabled {

    public static final String PATH = "/proc/sys/kernel/ftrace_enabled";

    private FtraceEnabled() {}

    /**
     * @return empty when the sysctl does not exist (kernel without CONFIG_FUNCTION_TRACER)
     * @throws IllegalStateException when it holds something other than 0 or 1
     */
    public static Optional<Boolean> read(KernelRoot root) {
        return root.read(PATH).map(String::strip).map(v -> switch (v) {
            case "0" -> false;
            case "1" -> true;
            default -> throw new IllegalStateException(PATH + " is neither 0 nor 1: '" + v + "'");
        });
    }
}
