package dev.klpfleet.kernel.kmsg;

/**
 * A point in the kernel log, made by writing a marker record to {@code /dev/kmsg}.
 *
 * @param sequence the marker record's sequence number; records after the mark have larger ones
 * @param label what the caller was about to do, as written into the marker
 * @param marker the exact marker message written
 */
public record KmsgMark(long sequence, String label, String marker) {}
