package dev.klpfleet.agent.state;

/** Keys of {@link AgentState#failures()}: which operation on which artifact failed. */
public final class Failures {
    private Failures() {}

    /** A load of this artifact for this rollout ended without the patch applied; the server decides what comes next. */
    public static String apply(String patch, String sha256, String rolloutId) {
        return "apply/" + patch + "/" + sha256 + "/" + rolloutId;
    }

    /** An unload of this artifact stalled or failed; retried after {@code Diff.UNLOAD_RETRY_AFTER}. */
    public static String unload(String patch, String sha256) {
        return "unload/" + patch + "/" + sha256;
    }
}
