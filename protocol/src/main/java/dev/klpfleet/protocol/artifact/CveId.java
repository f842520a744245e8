package dev.klpfleet.protocol.artifact;

import java.util.regex.Pattern;

/** The form of a CVE id: {@code CVE-YYYY-NNNN} with a sequence number of 4 to 19 digits (MITRE's CVE ID syntax since 2014). */
public final class CveId {
    private static final Pattern FORM = Pattern.compile("CVE-\\d{4}-\\d{4,19}");
    /** Most CVE ids one build may name. */
    public static final int MAX_PER_BUILD = 256;

    private CveId() {}

    public static boolean valid(String id) {
        return id != null && FORM.matcher(id).matches();
    }

    /** Why {@code id} is not a CVE id, in one line, or null if it is one. */
    public static String problem(String id) {
        return valid(id) ? null : "CVE ids look like CVE-2024-12345 (got '" + (id == null ? "null" : id.length() > 40 ? id.substring(0, 40) + "…" : id) + "')";
    }
}
