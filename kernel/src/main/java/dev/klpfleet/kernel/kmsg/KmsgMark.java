package dev.klpfleet.kernel.kmsg;

/**
 * A point in the kernel log, made by writing a marker record to {@code /dev/kmsg}.
 *
 * @param sequence the marker record's sequence number; records after the mark have larger ones
 * @param label what the caller was about to do, as written into the marker
 * @param marker the exact marker message written
 * @param sinceBoot the marker record's timestamp on the kernel's log clock, so other records'
 *     timestamps can be placed relative to the moment the marker was written
 * @param writtenAt when the marker was written, on the reader's clock: with {@code sinceBoot} it
 *     maps the kernel's log clock onto ours
 */
public record KmsgMark(long sequence, String label, String marker, java.time.Duration sinceBoot,
                       java.time.Instant writtenAt) {}
