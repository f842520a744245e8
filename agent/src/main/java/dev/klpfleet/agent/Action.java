package dev.klpfleet.agent;

import dev.klpfleet.kernel.load.LoadResult;

/**
 * One thing a pass did, as the agent's output shows it.
 *
 * @param action   {@code load}, {@code unload}, {@code forget} (dropped the record of a patch the kernel no longer has), {@code health}, or
 *                 {@code report} (an event the server refused for good, result {@code rejected}; dropped from the outbox)
 * @param patch    the patch; null for health
 * @param version  the patch version; null for health
 * @param result   the event's result ({@code applied}, {@code refused}, {@code unloaded}, {@code unload-failed}, {@code taint}, …) or {@code forgotten}
 * @param message  one line for a person
 * @param eventId  the event reported for it; null for forget
 * @param evidence the load or unload result (the {@code klpfleet kernel load --json} document); null for forget and health
 */
public record Action(String action, String patch, String version, String result, String message, String eventId,
                     LoadResult evidence) {}
