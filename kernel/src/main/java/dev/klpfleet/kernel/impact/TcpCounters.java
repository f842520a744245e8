package dev.klpfleet.kernel.impact;

import java.util.Map;
import java.util.OptionalLong;

/**
 * The {@code Tcp:} counters of {@code /proc/net/snmp} by name ({@code RetransSegs},
 * {@code OutSegs}, ...). Names are read from the header line, so a kernel that adds a column
 * changes nothing here.
 */
public record TcpCounters(Map<String, Long> counters) {

    public TcpCounters {
        counters = Map.copyOf(counters);
    }

    public OptionalLong get(String name) {
        Long v = counters.get(name);
        return v == null ? OptionalLong.empty() : OptionalLong.of(v);
    }

    /** Segments retransmitted since boot. */
    public OptionalLong retransSegs() {
        return get("RetransSegs");
    }

    public OptionalLong outSegs() {
        return get("OutSegs");
    }
}
