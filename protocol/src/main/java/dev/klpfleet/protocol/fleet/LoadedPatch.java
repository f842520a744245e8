package dev.klpfleet.protocol.fleet;

/**
 * A livepatch the agent saw loaded (from /sys/kernel/livepatch/NAME).
 *
 * @param state {@code enabled}, {@code transition} (the patch's {@code transition} file reads 1) or {@code disabled}
 */
public record LoadedPatch(String name, String version, String state, String sha256) {}
