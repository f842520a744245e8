package dev.klpfleet.cli;

/**
 * Every exit code klpfleet uses, in one place; docs/CLI.md lists the same table.
 * Codes 10-19 are outcomes of an operation on a kernel, 20-29 of talking to a server, 30-39 of builds and artifacts,
 * 40-49 of the host agent.
 */
public final class ExitCodes {
    private ExitCodes() {}

    /** Success: the command did what was asked, or it was already so. */
    public static final int OK = 0;
    /** A bug or an unexpected failure of the environment (I/O error, missing tool). */
    public static final int INTERNAL = 1;
    /** The command line is wrong. */
    public static final int USAGE = 2;
    /** An input file or value is unusable: missing, not ELF, truncated, malformed. Nothing was changed. */
    public static final int BAD_INPUT = 3;
    /** Needs root or a kernel feature this host lacks (no livepatch support, no /sys/kernel/livepatch). */
    public static final int UNSUPPORTED = 4;
    /** Something the command named does not exist (patch not loaded, unknown id). */
    public static final int NOT_FOUND = 5;
    /** {@code klpfleet server}: a configured secret is unusable: KLPFLEET_ADMIN_TOKEN shorter than 32 characters, or a
     *  token-hash key other than the one the database's tokens are hashed with. Nothing was started. */
    public static final int WEAK_SECRET = 6;

    /** Load refused by preflight; nothing was loaded. */
    public static final int REFUSED = 10;
    /** insmod failed; nothing is left loaded. */
    public static final int LOAD_FAILED = 11;
    /** The transition stalled and was reversed; the patch is gone, the kernel unpatched. */
    public static final int STALLED_REVERTED = 12;
    /** The transition stalled and, as asked with --on-stall wait, is still in progress. */
    public static final int STALLED_WAITING = 13;
    /** A reversal or unload itself stalled, writing `enabled` failed, or rmmod kept failing: the host needs a human (evidence in the output). */
    public static final int STUCK = 14;
    /** A preflight check warned (only with --strict). */
    public static final int WARNED = 15;

    /** The klpfleet server did not answer (wrong --server, not running, network down). */
    public static final int UNREACHABLE = 20;
    /** The server refused the token: missing or unknown (HTTP 401) or its role is too low (HTTP 403). */
    public static final int DENIED = 21;
    /** The server refused because of current state: a duplicate upload, or a rollout that cannot take the action (HTTP 409). */
    public static final int CONFLICT = 22;
    /** The server's TLS certificate is not the trusted one (not the pinned fingerprint, or not from the --server-ca): nothing was sent. */
    public static final int UNTRUSTED = 23;

    /** {@code klpfleet build}: at least one release did not compile (or the build host failed for it); the others' results stand. */
    public static final int BUILD_FAILED = 30;
    /** {@code klpfleet build}: everything compiled, but a lint failed for at least one release, which was left unsigned. */
    public static final int LINT_FAILED = 31;
    /** {@code klpfleet verify}: an artifact is tampered, unsigned, or signed by another key; it must not be deployed. */
    public static final int VERIFY_REFUSED = 32;

    /** {@code klpfleet agent}: a step ended without success (refused, load-failed, stalled, unload-failed); the server was told. */
    public static final int AGENT_STEP_FAILED = 40;
    /** {@code klpfleet agent}: this host has no credential in --data yet and no --enroll-token was given. */
    public static final int NOT_ENROLLED = 41;
    /** {@code klpfleet agent --once}: stopped with work left (a transition still running, or the pass bound reached). */
    public static final int AGENT_UNFINISHED = 42;
}
