package dev.klpfleet.protocol.fleet;

import java.time.Instant;

/**
 * A {@code crash-suspected} event a host reported, as the server keeps it: the agent holds the patch
 * back until an operator clears it ({@code POST /api/v1/hosts/{hostId}/clear-crash}); the agent reads
 * {@code GET /api/v1/hosts/{hostId}/crash-holds} while it holds any, and loads the patch again (when a
 * desired set names it) once {@code clearedAt} is set.
 *
 * @param eventId    the agent's event id
 * @param patch      the patch held back
 * @param version    its version
 * @param reportedAt when the server received the event
 * @param clearedAt  when an operator cleared it; null while it holds
 * @param clearedBy  the operator token's name that cleared it; null while it holds
 * @param reason     the operator's reason for clearing; null if none given
 */
public record CrashHold(String eventId, String patch, String version, Instant reportedAt, Instant clearedAt, String clearedBy,
                        String reason) {}
