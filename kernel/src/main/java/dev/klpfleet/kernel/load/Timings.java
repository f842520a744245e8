package dev.klpfleet.kernel.load;

/**
 * Where the time of one operation went, in milliseconds; null where a phase did not happen or could
 * not be measured.
 *
 * @param insmodMs       wall time of insmod (or rmmod for an unload)
 * @param insmodCpuMs    CPU time insmod itself used: symbol resolution and relocation in the kernel
 * @param transitionMs   from the kernel starting the transition to it completing, by the kernel's own
 *                       log timestamps; falls back to our watch when the log has no such lines
 * @param detectionLagMs how long after the kernel logged completion this command knew of it
 * @param revertMs       time to reverse a stalled transition and remove the module
 * @param totalMs        the whole operation, preflight included
 */
public record Timings(Long insmodMs, Long insmodCpuMs, Long transitionMs, Long detectionLagMs, Long revertMs,
                      Long totalMs) {
}
