package dev.klpfleet.agent.state;

/** Keys of {@link AgentState#failures()}: which operation on which artifact failed. */
public final class Failures {
    private Failures() {}

    /** A load of this artifact for this rollout ended without the patch applied; the server decides what comes next. */
    public static String apply(String patch, String sha256, String rolloutId) {
        return "apply/" + patch + "/" + sha256 + "/" + rolloutId;
    }

    /**
     * A load of attempt {@code attempt} of the rollout's plan ended without the patch applied. Attempt
     * 1 keeps the key of agents from before attempts, so their records still hold; a later attempt
     * the server grants is a new key, so it is loaded again.
     */
    public static String apply(String patch, String sha256, String rolloutId, int attempt) {
        return attempt <= 1 ? apply(patch, sha256, rolloutId) : apply(patch, sha256, rolloutId) + "/attempt-" + attempt;
    }

    /** An unload of this artifact stalled or failed; retried after {@code Diff.UNLOAD_RETRY_AFTER}. */
    public static String unload(String patch, String sha256) {
        return "unload/" + patch + "/" + sha256;
    }
}
