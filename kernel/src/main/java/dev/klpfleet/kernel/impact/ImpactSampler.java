package dev.klpfleet.kernel.impact;

import dev.klpfleet.kernel.KernelRoot;
import java.time.InstantSource;
import java.util.Optional;
import java.util.OptionalInt;

/** Takes {@link ImpactSample}s from a kernel root. Reading is cheap: a few small procfs files. */
public final class ImpactSampler {

    private final KernelRoot root;
    private final InstantSource clock;

    public ImpactSampler(KernelRoot root, InstantSource clock) {
        this.root = root;
        this.clock = clock;
    }

    /** Samples the system-wide signals only. */
    public ImpactSample sample() {
        return sample(OptionalInt.empty());
    }

    /** Samples the system-wide signals and, when given, the CPU time of process {@code pid}. */
    public ImpactSample sample(OptionalInt pid) {
        return new ImpactSample(
                clock.instant(),
                ProcReaders.ksoftirqd(root),
                root.read("/proc/net/snmp").flatMap(ProcReaders::tcp),
                root.read("/proc/pressure/cpu").flatMap(ProcReaders::pressure),
                root.read("/proc/pressure/io").flatMap(ProcReaders::pressure),
                pid.isPresent()
                        ? root.read("/proc/" + pid.getAsInt() + "/stat").flatMap(s -> ProcReaders.processCpu(pid.getAsInt(), s))
                        : Optional.empty());
    }
}
