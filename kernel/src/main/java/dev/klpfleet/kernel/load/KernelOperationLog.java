package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.impact.ImpactSample;
import dev.klpfleet.kernel.impact.ImpactSampler;
import dev.klpfleet.kernel.transition.TransitionOutcome;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;

/**
 * The {@link OperationLog} of the real kernel: impact samples from procfs and the kernel's own log
 * from {@code /dev/kmsg}.
 */
public final class KernelOperationLog implements OperationLog {
    private final ImpactSampler sampler;
    private final KernelLogWindow kmsg;
    private final ImpactSample before;
    private ImpactSample phaseEnd;

    private KernelOperationLog(KernelRoot root, InstantSource clock, String what) {
        this.sampler = new ImpactSampler(root, clock);
        this.kmsg = KernelLogWindow.open(root, clock, "klpfleet: " + what);
        this.before = sampler.sample();
    }

    /** Opens logs on the kernel under {@code root}. */
    public static Factory factory(KernelRoot root, InstantSource clock) {
        return what -> new KernelOperationLog(root, clock, what);
    }

    /** Ends the first phase (insmod, or the write that starts an unpatching). */
    @Override
    public void phaseDone() {
        if (phaseEnd == null) {
            phaseEnd = sampler.sample();
        }
    }

    @Override
    public TransitionTimes transitionTimes(String patch, Instant watchStart, TransitionOutcome outcome) {
        return kmsg.transitionTimes(patch, watchStart.plus(outcome.elapsed()));
    }

    @Override
    public List<String> lines() {
        return kmsg.lines();
    }

    @Override
    public Impact impact() {
        ImpactSample now = sampler.sample();
        ImpactSample mid = phaseEnd == null ? now : phaseEnd;
        return new Impact(ImpactDelta.between(before, mid), ImpactDelta.between(mid, now));
    }

    @Override
    public void close() {
        kmsg.close();
    }
}
