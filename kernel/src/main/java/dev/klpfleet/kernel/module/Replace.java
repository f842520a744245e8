package dev.klpfleet.kernel.module;

/**
 * Whether a livepatch uses atomic replace ({@code klp_patch.replace}, kernel 5.1+): when true,
 * enabling it disables and supersedes every livepatch already loaded.
 *
 * @param value  what the file says, or {@link Value#UNKNOWN}
 * @param reason how the value was read, or why it could not be
 */
public record Replace(Value value, String reason) {

    public enum Value { TRUE, FALSE, UNKNOWN }

    public static Replace unknown(String reason) {
        return new Replace(Value.UNKNOWN, reason);
    }

    /** True unless {@link Value#UNKNOWN}. (Not named isKnown: JSON serializers would add it as a field.) */
    public boolean known() {
        return value != Value.UNKNOWN;
    }
}
