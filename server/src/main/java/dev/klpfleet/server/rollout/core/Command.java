package dev.klpfleet.server.rollout.core;

/** An operator's action on a rollout; {@code actor} is the token name that asked. */
public sealed interface Command {
    String actor();

    String reason();

    /** Which action: the core dispatches on this in exhaustive switches, so a new command is a compile error until handled. */
    Verb verb();

    enum Verb {
        PAUSE, RESUME, ABORT, PROMOTE, ROLLBACK;

        /** The API's and audit log's name, e.g. {@code pause}. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    record Pause(String actor, String reason) implements Command {
        public Verb verb() {
            return Verb.PAUSE;
        }
    }

    record Resume(String actor, String reason) implements Command {
        public Verb verb() {
            return Verb.RESUME;
        }
    }

    record Abort(String actor, String reason) implements Command {
        public Verb verb() {
            return Verb.ABORT;
        }
    }

    /** Starts the next wave now, without waiting for the current one to finish or soak. */
    record Promote(String actor, String reason) implements Command {
        public Verb verb() {
            return Verb.PROMOTE;
        }
    }

    record Rollback(String actor, String reason) implements Command {
        public Verb verb() {
            return Verb.ROLLBACK;
        }
    }
}
