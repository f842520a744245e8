package dev.klpfleet.kernel.impact;

/**
 * One line of a PSI file ({@code some} or {@code full}).
 *
 * @param avg10 percent of time stalled over the last 10 s
 * @param avg60 over the last 60 s
 * @param avg300 over the last 300 s
 * @param totalMicros cumulative stall time since boot, microseconds
 */
public record PressureLine(double avg10, double avg60, double avg300, long totalMicros) {}
