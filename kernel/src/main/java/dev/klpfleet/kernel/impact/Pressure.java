package dev.klpfleet.kernel.impact;

import java.util.Optional;

/**
 * A PSI reading of one resource ({@code /proc/pressure/cpu}, {@code /proc/pressure/io}; 4.20+,
 * and only when booted with PSI enabled).
 *
 * @param some share of time at least one task stalled
 * @param full share of time all non-idle tasks stalled; the kernel prints it for cpu only since
 *     5.13 (and then always as zero at system level), so it may be absent
 */
public record Pressure(PressureLine some, Optional<PressureLine> full) {}
