package dev.klpfleet.agent.state;

import java.time.Instant;

/**
 * The last check-in the server answered on a boot: after a crash, the best estimate of when that boot
 * was last known alive (the kernel leaves no shutdown time behind a panic).
 *
 * @param bootId {@code /proc/sys/kernel/random/boot_id} of that boot
 * @param at     when the server answered (200 or 304), by the agent's clock
 */
public record BootCheckin(String bootId, Instant at) {}
