package dev.klpfleet.agent.state;

/**
 * A patch this agent loaded, or is about to load or unload. Written to the state file before the
 * kernel is touched, so after a crash at any point the agent knows which patches are its own and
 * which operation was in flight. Patches without an entry are never unloaded by the agent.
 *
 * @param patch     the patch (= module) name, as {@code /sys/kernel/livepatch/<patch>}
 * @param version   the catalog version it was loaded as
 * @param sha256    the module artifact's SHA-256
 * @param rolloutId the rollout whose desired set asked for it
 * @param phase     where the operation stands
 * @param attempt   how many load or unload operations this entry has started; part of every event id,
 *                  so an operation re-run after a crash re-sends the same id and a new operation gets a new one
 */
public record ManagedPatch(String patch, String version, String sha256, String rolloutId, Phase phase, int attempt) {

    public enum Phase {
        /** The load was decided and may have reached the kernel; no result recorded yet. */
        LOADING,
        /** The patch was loaded by this agent (applied, or left in the kernel by a stalled reversal). */
        LOADED,
        /** The unload was decided and may have reached the kernel; no result recorded yet. */
        UNLOADING
    }

    public ManagedPatch with(Phase next, int nextAttempt) {
        return new ManagedPatch(patch, version, sha256, rolloutId, next, nextAttempt);
    }
}
