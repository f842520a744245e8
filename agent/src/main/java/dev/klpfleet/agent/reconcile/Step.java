package dev.klpfleet.agent.reconcile;

import dev.klpfleet.agent.state.ManagedPatch;
import dev.klpfleet.protocol.fleet.DesiredPatch;

/** The one thing a reconcile pass does, as decided by {@link Diff}. */
public sealed interface Step {

    /** Download, verify and load {@code desired} (also: resume a load a crash interrupted, or adopt the same build already loaded). */
    record Load(DesiredPatch desired, String why) implements Step {}

    /** Disable and remove a patch this agent manages (also: finish an unload a crash interrupted). */
    record Unload(ManagedPatch managed, String why) implements Step {}

    /** Drop the entry of a managed patch that is no longer in the kernel and no longer desired; the kernel is not touched. */
    record Forget(ManagedPatch managed, String why) implements Step {}

    /** A transition is running; the kernel runs one at a time, so nothing may start now. */
    record Wait(String why) implements Step {}

    /**
     * The desired set grants {@code desired} another attempt after a stalled transition, not before
     * {@code desired.notBefore()}: nothing to do until then, unless the tasks that blocked the last
     * attempt have left the patched functions.
     */
    record Pending(DesiredPatch desired, String why) implements Step {}

    /** Observed state matches the desired set (failed operations excepted): nothing to do. */
    record Idle() implements Step {}
}
