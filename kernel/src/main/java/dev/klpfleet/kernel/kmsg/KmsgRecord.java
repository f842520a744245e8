package dev.klpfleet.kernel.kmsg;

import java.time.Duration;
import java.util.Map;

/**
 * One record of the kernel log as {@code /dev/kmsg} returns it (Documentation/ABI/testing/dev-kmsg):
 * {@code PRIORITY,SEQUENCE,TIMESTAMP_US,FLAGS[,...];MESSAGE} then zero or more continuation lines
 * {@code  KEY=VALUE}.
 *
 * @param facility syslog facility, priority >> 3 (0 kernel, 1 user: what a write to /dev/kmsg gets)
 * @param level severity
 * @param sequence the record's 64-bit sequence number; consecutive unless records were overwritten
 * @param sinceBoot timestamp: microseconds of the kernel's local clock since boot (monotonic, not
 *     wall time; pauses during suspend)
 * @param message the text as the kernel printed it, non-printable bytes escaped as {@code \xNN}
 * @param properties continuation {@code KEY=VALUE} lines (e.g. SUBSYSTEM, DEVICE); usually empty
 * @param raw the record's text as read, trailing newline removed
 */
public record KmsgRecord(
        int facility,
        KmsgLevel level,
        long sequence,
        Duration sinceBoot,
        String message,
        Map<String, String> properties,
        String raw) {

    public static final int FACILITY_KERNEL = 0;
    public static final int FACILITY_USER = 1;

    public KmsgRecord {
        properties = Map.copyOf(properties);
    }

    public boolean fromKernel() {
        return facility == FACILITY_KERNEL;
    }
}
