package dev.klpfleet.protocol.fleet;

import java.util.List;

/**
 * A host's observed state, sent on every check-in. Send the last response's ETag in
 * {@code If-None-Match}: an unchanged desired set comes back as 304 with no body.
 *
 * @param taint the kernel's taint mask from /proc/sys/kernel/tainted; null (or absent) when the agent
 *              could not read it: unknown, never 0, so a failed read never looks like a clean kernel
 */
public record CheckinRequest(String kernelRelease, List<LoadedPatch> loaded, Long taint) {}
