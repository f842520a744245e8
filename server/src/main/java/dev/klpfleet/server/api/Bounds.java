package dev.klpfleet.server.api;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The bounds every field from outside is held to (docs/CLI.md, "Limits"): each check returns the
 * one-line reason a value is refused, or null when it is fine.
 */
public final class Bounds {
    /** A DNS name: dot-separated labels of letters, digits and hyphens, 1..63 each, 253 in all. */
    private static final Pattern HOSTNAME = Pattern.compile("(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
            + "(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");
    /** A label key, as Kubernetes spells one without a prefix. */
    private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._-]{0,61}[A-Za-z0-9])?");
    /** A label value: printable, no spaces or control characters. */
    private static final Pattern LABEL_VALUE = Pattern.compile("[A-Za-z0-9._:/@+-]{0,128}");
    /** A kernel release as uname -r prints it. */
    private static final Pattern KERNEL_RELEASE = Pattern.compile("[A-Za-z0-9._+~-]{1,128}");
    /** Names of tokens and other things operators name: printable, no control characters. */
    private static final Pattern NAME = Pattern.compile("[\\p{Alnum}._@:+-][\\p{Alnum} ._@:+-]{0,63}");
    /** Identifiers a client chooses (event ids): printable ASCII without spaces. */
    private static final Pattern ID = Pattern.compile("[!-~]{1,128}");
    public static final int MAX_LABELS = 32;
    public static final int MAX_TEXT = 256;
    public static final int MAX_LIST = 256;
    /** Instants from clients must lie within these years (agents report times of this century). */
    public static final Instant EARLIEST = Instant.parse("2000-01-01T00:00:00Z");
    public static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private Bounds() {}

    public static String hostname(String field, String v) {
        if (v == null || !HOSTNAME.matcher(v).matches()) {
            return field + " must be a DNS name of at most 253 characters (letters, digits, hyphens, dots)";
        }
        return null;
    }

    public static String kernelRelease(String field, String v) {
        if (v == null || !KERNEL_RELEASE.matcher(v).matches()) {
            return field + " must be a kernel release of 1..128 characters [A-Za-z0-9._+~-]";
        }
        return null;
    }

    public static String name(String field, String v) {
        if (v == null || !NAME.matcher(v).matches()) {
            return field + " must be 1..64 letters, digits, spaces or ._@:+- (not starting with a space)";
        }
        return null;
    }

    public static String id(String field, String v) {
        if (v == null || !ID.matcher(v).matches()) {
            return field + " must be 1..128 printable ASCII characters without spaces";
        }
        return null;
    }

    /** Optional free text: at most {@link #MAX_TEXT} characters, no control characters. */
    public static String text(String field, String v) {
        if (v != null && (v.length() > MAX_TEXT || v.chars().anyMatch(Character::isISOControl))) {
            return field + " must be at most " + MAX_TEXT + " characters without control characters";
        }
        return null;
    }

    public static String labels(String field, Map<String, String> labels) {
        if (labels == null) {
            return null;
        }
        if (labels.size() > MAX_LABELS) {
            return field + ": at most " + MAX_LABELS + " labels (got " + labels.size() + ")";
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (e.getKey() == null || !LABEL_KEY.matcher(e.getKey()).matches()) {
                return field + ": label key '" + clip(e.getKey()) + "' must be 1..63 characters [A-Za-z0-9._-], starting and ending alphanumeric";
            }
            if (e.getValue() == null || !LABEL_VALUE.matcher(e.getValue()).matches()) {
                return field + ": value of label '" + e.getKey() + "' must be 0..128 characters [A-Za-z0-9._:/@+-]";
            }
        }
        return null;
    }

    public static String list(String field, List<?> v, int max) {
        if (v != null && v.size() > max) {
            return field + ": at most " + max + " entries (got " + v.size() + ")";
        }
        if (v != null && v.contains(null)) {
            return field + ": an entry is null";
        }
        return null;
    }

    public static String instant(String field, Instant v) {
        if (v != null && (v.isBefore(EARLIEST) || v.isAfter(LATEST))) {
            return field + " must lie within " + EARLIEST + " .. " + LATEST;
        }
        return null;
    }

    /** The first non-null reason among {@code reasons}. */
    public static String first(String... reasons) {
        for (String r : reasons) {
            if (r != null) {
                return r;
            }
        }
        return null;
    }

    /** {@code v} cut to 64 characters for an error message, so a huge value is not echoed. */
    static String clip(String v) {
        return v == null ? "null" : v.length() <= 64 ? v : v.substring(0, 64) + "…";
    }
}
