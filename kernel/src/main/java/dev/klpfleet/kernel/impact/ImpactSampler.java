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
                measured("/proc/net/snmp").flatMap(ProcReaders::tcp),
                measured("/proc/pressure/cpu").flatMap(ProcReaders::pressure),
                measured("/proc/pressure/io").flatMap(ProcReaders::pressure),
                pid.isPresent()
                        ? root.read("/proc/" + pid.getAsInt() + "/stat").flatMap(s -> ProcReaders.processCpu(pid.getAsInt(), s))
                        : Optional.empty());
    }

    /**
     * A system-wide signal for the impact sample; one that cannot be read is missing from it (PSI
     * files answer EOPNOTSUPP when booted with psi=0, 5.2+), never a reason to fail the operation.
     */
    private java.util.Optional<String> measured(String absolute) {
        try {
            return root.read(absolute);
        } catch (java.io.UncheckedIOException e) {
            return java.util.Optional.empty();
        }
    }
}
