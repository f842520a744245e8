package dev.klpfleet.server.simulate;

import java.util.List;
import java.util.Map;

/**
 * What one simulated rollout came to (the {@code klpfleet simulate --json} document, docs/SIMULATE.md).
 * Times are virtual hours since the rollout was created; null when it never happened.
 *
 * @param exposedHosts      hosts that began applying the patch on a release where it does harm (fails, stalls or crashes)
 * @param exposedHostHours  their hours running it (from starting to apply until the halt, or until it failed, crashed or was unloaded)
 * @param haltMinutesAfterFirstBad minutes from the first bad outcome (a failed or stalled result, a crash) to the halt
 * @param canaryHosts       hosts in the first wave
 */
public record SimResult(String scenario, long seed, int hosts, double virtualSeconds, String status, int wave, long canaryHosts,
                        Double hoursTo50, Double hoursTo90, Double hoursTo99, Double hoursTo100,
                        long exposedHosts, double exposedHostHours, Double firstBadHour, Double haltMinutesAfterFirstBad,
                        Double haltHour, String haltReason, Map<String, Long> decisions, Map<String, Long> phases,
                        List<TimelineRow> timeline) {

    /**
     * Host counts of one wave at one virtual instant; {@code retrying} are hosts whose transition stalled
     * and that will try again (not in {@code stalled}, which counts only hosts out of attempts).
     */
    public record TimelineRow(double second, int wave, String waveName, long pending, long applying, long applied, long failed,
                              long stalled, long rollingBack, long rolledBack, long retrying) {}

    public static final String TIMELINE_HEADER = "second,wave,wave_name,pending,applying,applied,failed,stalled,rolling_back,rolled_back,"
            + "retrying";

    /** The timeline as CSV with {@link #TIMELINE_HEADER}. */
    public String timelineCsv() {
        StringBuilder b = new StringBuilder(TIMELINE_HEADER).append('\n');
        for (TimelineRow r : timeline) {
            b.append(r.second()).append(',').append(r.wave()).append(',').append(r.waveName().replace(",", " ")).append(',')
                    .append(r.pending()).append(',').append(r.applying()).append(',').append(r.applied()).append(',').append(r.failed())
                    .append(',').append(r.stalled()).append(',').append(r.rollingBack()).append(',').append(r.rolledBack())
                    .append(',').append(r.retrying()).append('\n');
        }
        return b.toString();
    }

    /** This result without its timeline (the CLI's JSON carries the timeline only in the CSV file). */
    public SimResult withoutTimeline() {
        return new SimResult(scenario, seed, hosts, virtualSeconds, status, wave, canaryHosts, hoursTo50, hoursTo90, hoursTo99, hoursTo100,
                exposedHosts, exposedHostHours, firstBadHour, haltMinutesAfterFirstBad, haltHour, haltReason, decisions, phases, List.of());
    }
}
