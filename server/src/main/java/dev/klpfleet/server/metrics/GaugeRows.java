package dev.klpfleet.server.metrics;

import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One gauge name with a changing set of label rows. A row that stays keeps its meter and only its
 * value moves: re-registering every row on each update (MultiGauge's overwrite) removes and re-adds
 * them, and a scrape falling in between would miss series that never went away.
 */
final class GaugeRows {
    private final MultiGauge gauge;
    private final Map<Tags, Value> values = new HashMap<>();

    private static final class Value {
        volatile double v;
    }

    GaugeRows(MultiGauge gauge) {
        this.gauge = gauge;
    }

    /** Makes {@code next} the rows: new ones appear, gone ones are removed, the others change value in place. */
    synchronized void set(Map<Tags, ? extends Number> next) {
        values.keySet().retainAll(next.keySet());
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        next.forEach((tags, n) -> {
            Value holder = values.computeIfAbsent(tags, t -> new Value());
            holder.v = n.doubleValue();
            rows.add(MultiGauge.Row.of(tags, holder, h -> h.v));
        });
        gauge.register(rows, false);
    }
}
