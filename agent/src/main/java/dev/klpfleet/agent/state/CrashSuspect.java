package dev.klpfleet.agent.state;

import java.time.Instant;

/**
 * A patch this agent will not load again on its own: the previous boot ended while its load ran, or
 * within the crash window after it applied. Kept until an operator clears its event at the server
 * ({@code klpfleet hosts clear-crash}); a different build of the patch (another sha256) is not held back.
 *
 * @param reason          {@code load-never-completed} or {@code applied-within-window}
 * @param previousBootId  the boot the load ran on
 * @param loadStartedAt   when that load started
 * @param loadCompletedAt when it returned; null if it never did
 * @param lastCheckinAt   the last check-in the server answered on that boot; null if none after the agent started it
 * @param eventId         the {@code crash-suspected} event reported for it, which the operator clears
 * @param detectedAt      when this boot's agent found it
 */
public record CrashSuspect(String patch, String version, String sha256, String rolloutId, String reason, String previousBootId,
                           Instant loadStartedAt, Instant loadCompletedAt, Instant lastCheckinAt, String eventId, Instant detectedAt) {}
