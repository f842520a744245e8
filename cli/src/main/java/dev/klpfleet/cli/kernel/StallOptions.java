package dev.klpfleet.cli.kernel;

import dev.klpfleet.kernel.load.LoadOptions;
import dev.klpfleet.kernel.load.OnStall;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The stall handling options that kernel load, kernel unload and the agent share. */
public final class StallOptions {
    @Option(names = "--stall-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long the transition may run before it counts as stalled (e.g. 30s, 2m, 500ms). Default: ${DEFAULT-VALUE}.")
    Duration stallTimeout;

    @Option(names = "--on-stall", paramLabel = "reverse|wait", defaultValue = "reverse", converter = OnStallConverter.class,
            description = "reverse (default): undo the stalled transition, so the host is as before; wait: leave it running.")
    OnStall onStall;

    @Option(names = "--reverse-timeout", paramLabel = "DURATION", defaultValue = "30s", converter = DurationConverter.class,
            description = "How long reversing a stalled transition may take before it counts as stalled too (revert-stalled). Default: ${DEFAULT-VALUE}.")
    Duration reverseTimeout;

    @Option(names = "--no-pin-insmod", description = "Run insmod wherever the scheduler puts it, instead of on the CPU with the least softirq activity.")
    boolean noPinInsmod;

    /** These options as the kernel room takes them. */
    public LoadOptions loadOptions(boolean keepReplaced) {
        if (reverseTimeout.isZero() || reverseTimeout.isNegative()) {
            throw new dev.klpfleet.cli.CommandFailure(dev.klpfleet.cli.ExitCodes.USAGE, "--reverse-timeout must be positive");
        }
        return new LoadOptions(stallTimeout, onStall, keepReplaced, reverseTimeout, !noPinInsmod);
    }
}
