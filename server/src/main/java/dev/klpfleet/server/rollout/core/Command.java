package dev.klpfleet.server.rollout.core;

/** An operator's action on a rollout; {@code actor} is the token name that asked. */
public sealed interface Command {
    String actor();

    String reason();

    record Pause(String actor, String reason) implements Command {}

    record Resume(String actor, String reason) implements Command {}

    record Abort(String actor, String reason) implements Command {}

    /** Starts the next wave now, without waiting for the current one to finish or soak. */
    record Promote(String actor, String reason) implements Command {}

    record Rollback(String actor, String reason) implements Command {}
}
