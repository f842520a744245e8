package dev.klpfleet.protocol.outcome;

/**
 * How something a host did ended, as it travels on the wire: one closed vocabulary per event kind.
 * Every member has a wire name and an {@code UNKNOWN} constant that stands for any wire value this
 * build does not know (a newer agent's, say): it is kept, shown as {@code unknown}, and counted as a
 * failure, never silently treated as success or dropped. The raw value survives in the event's
 * evidence document, which is stored as sent.
 */
public sealed interface Outcome permits ApplyResult, UnloadResult, HealthKind {
    /** The name on the wire, e.g. {@code stalled-reverted}. */
    String wire();

    /** True for the {@code UNKNOWN} constant of the vocabulary. */
    boolean unknown();

    /** The event kind this vocabulary belongs to. */
    EventKind kind();
}
