package dev.klpfleet.server.analytics;

/** The impact figures kept in histograms, each named by the {@code event_facts} column it is stored in. */
public enum ImpactMetric {
    KSOFTIRQD_DELAY_NS("ksoftirqd_delay_ns"),
    RETRANS_SEGS("retrans_segs"),
    INSMOD_CPU_MS("insmod_cpu_ms"),
    TRANSITION_MS("transition_ms");

    private final String column;

    ImpactMetric(String column) {
        this.column = column;
    }

    /** The {@code event_facts} column, also the {@code metric} value of {@code impact_buckets}. */
    public String column() {
        return column;
    }

    /** The metric stored under {@code column}, or null when it is none of ours. */
    public static ImpactMetric ofColumn(String column) {
        for (ImpactMetric m : values()) {
            if (m.column.equals(column)) {
                return m;
            }
        }
        return null;
    }
}
