package dev.klpfleet.agent.controlplane;

import dev.klpfleet.protocol.fleet.CheckinResponse;

/** A check-in's answer. */
public sealed interface Checkin {
    /** A new desired set (200) and the ETag to send next time. */
    record Changed(CheckinResponse response, String etag) implements Checkin {}

    /** 304: the desired set is the one the ETag named. */
    record Unchanged() implements Checkin {}
}
