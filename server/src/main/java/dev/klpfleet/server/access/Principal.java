package dev.klpfleet.server.access;

import java.util.Map;

/** Who a request acts as, from its bearer token. */
public sealed interface Principal {
    /** No or unknown token. */
    record Anonymous() implements Principal {}

    record Operator(String tokenId, String name, Role role) implements Principal {}

    /** An enrolled host's credential; acts only as {@code hostId}. */
    record Host(String hostId) implements Principal {}

    /** An enrollment token; may only enroll new hosts, which get {@code labels}. */
    record Enroller(String tokenId, Map<String, String> labels) implements Principal {}
}
