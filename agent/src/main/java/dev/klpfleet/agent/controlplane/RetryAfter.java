package dev.klpfleet.agent.controlplane;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * Reads an HTTP {@code Retry-After} (RFC 9110 section 10.2.3): delta-seconds, or an HTTP-date taken
 * relative to the same response's {@code Date}, so the agent's own wall clock never enters.
 */
public final class RetryAfter {
    /** The longest wait a server can ask for; beyond this we come back anyway, so a bad header cannot park a host. */
    public static final Duration MAX = Duration.ofMinutes(15);

    private RetryAfter() {}

    /** The wait asked for, clamped to 0..{@link #MAX}; empty when absent or unreadable. */
    public static Optional<Duration> parse(Optional<String> retryAfter, Optional<String> date) {
        if (retryAfter.isEmpty()) {
            return Optional.empty();
        }
        String v = retryAfter.get().strip();
        try {
            if (v.chars().allMatch(Character::isDigit) && !v.isEmpty()) {
                return Optional.of(clamp(Duration.ofSeconds(v.length() > 9 ? Long.MAX_VALUE / 1_000_000_000L : Long.parseLong(v))));
            }
            if (date.isEmpty()) {
                return Optional.empty();
            }
            ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
            ZonedDateTime now = ZonedDateTime.parse(date.get().strip(), DateTimeFormatter.RFC_1123_DATE_TIME);
            return Optional.of(clamp(Duration.between(now, at)));
        } catch (DateTimeParseException | ArithmeticException e) {
            return Optional.empty();
        }
    }

    private static Duration clamp(Duration d) {
        return d.isNegative() ? Duration.ZERO : d.compareTo(MAX) > 0 ? MAX : d;
    }
}
