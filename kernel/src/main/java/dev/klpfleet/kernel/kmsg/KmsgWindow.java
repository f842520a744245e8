package dev.klpfleet.kernel.kmsg;

import java.util.List;
import java.util.function.Predicate;

/**
 * The kernel log records between a mark and a later collection.
 *
 * @param mark where the window starts
 * @param records every record logged after the mark, in sequence order, the reader's own markers
 *     excluded
 * @param lostRecords records the kernel overwrote before they could be read (gaps in the sequence
 *     numbers; the ring buffer wrapped)
 * @param complete true when the closing marker was seen within the wait: nothing logged before
 *     the collection is missing. False when the wait ran out; {@code records} is then what arrived.
 */
public record KmsgWindow(KmsgMark mark, List<KmsgRecord> records, long lostRecords, boolean complete) {

    public KmsgWindow {
        records = List.copyOf(records);
    }

    public List<KmsgRecord> matching(Predicate<KmsgRecord> filter) {
        return records.stream().filter(filter).toList();
    }
}
