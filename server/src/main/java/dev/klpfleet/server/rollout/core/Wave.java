package dev.klpfleet.server.rollout.core;

/**
 * One wave of a rollout plan: which further hosts it adds. Exactly one of {@code count},
 * {@code percent} or {@code label} is used, by {@code kind}. Percentages are cumulative
 * over all targeted hosts with a build (a 10% wave after a 1% wave adds about 9%).
 */
public record Wave(String name, Kind kind, int count, double percent, String label) {
    public enum Kind { COUNT, PERCENT, LABEL }

    public static Wave count(String name, int count) {
        return new Wave(name, Kind.COUNT, count, 0, null);
    }

    public static Wave percent(String name, double percent) {
        return new Wave(name, Kind.PERCENT, 0, percent, null);
    }

    /** Hosts whose labels contain {@code key=value}, e.g. {@code tier=canary}. */
    public static Wave label(String name, String keyEqualsValue) {
        return new Wave(name, Kind.LABEL, 0, 0, keyEqualsValue);
    }

    /** The longest wave name. */
    public static final int MAX_NAME = 64;
    /** The largest host count of a COUNT wave. */
    public static final int MAX_COUNT = 1_000_000;

    /** Checks the wave is well-formed; returns a one-line reason or null. */
    String problem() {
        if (name == null || name.isBlank() || name.length() > MAX_NAME) {
            return "every wave needs a name of 1.." + MAX_NAME + " characters";
        }
        if (kind == null) {
            return "wave '" + name + "' needs a kind (COUNT, PERCENT or LABEL)";
        }
        return switch (kind) {
            case COUNT -> count < 0 || count > MAX_COUNT ? "wave '" + name + "': count must be within 0.." + MAX_COUNT : null;
            case PERCENT -> percent < 0 || percent > 100 || Double.isNaN(percent) ? "wave '" + name + "': percent must be within 0..100" : null;
            case LABEL -> label == null || label.indexOf('=') < 1 ? "wave '" + name + "': label must be key=value" : null;
        };
    }
}
