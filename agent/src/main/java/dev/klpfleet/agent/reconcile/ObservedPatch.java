package dev.klpfleet.agent.reconcile;

/**
 * A livepatch as {@code /sys/kernel/livepatch/<name>} showed it when the pass observed the kernel.
 *
 * @param enabled    the patch's {@code enabled} file reads 1
 * @param transition the patch's {@code transition} file reads 1: tasks are still being switched
 */
public record ObservedPatch(String name, boolean enabled, boolean transition) {

    /** The wire form of the state a check-in reports: {@code transition}, {@code enabled} or {@code disabled}. */
    public String state() {
        return transition ? "transition" : enabled ? "enabled" : "disabled";
    }
}
