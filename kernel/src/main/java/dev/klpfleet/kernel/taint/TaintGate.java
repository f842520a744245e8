package dev.klpfleet.kernel.taint;

/** How a rollout gate treats a taint flag. */
public enum TaintGate {
    /** The kernel hit trouble (oops, warning, lockup, hardware error): stop the rollout. */
    BAD,
    /** Set by loading a livepatch module itself (K, O, E): expected, never a reason to stop. */
    EXPECTED_FOR_LIVEPATCH,
    /** Worth showing, unrelated to patch health (proprietary driver, staging, firmware quirk). */
    NOTE
}
