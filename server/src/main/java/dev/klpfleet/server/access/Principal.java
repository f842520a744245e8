package dev.klpfleet.server.access;

import java.util.Map;

/** Who a request acts as, from its bearer token; {@code from} is the client address, for the audit log. */
public sealed interface Principal {
    /** No or unknown token. */
    record Anonymous() implements Principal {}

    record Operator(String tokenId, String name, Role role, String from) implements Principal {}

    /** An enrolled host's credential; acts only as {@code hostId}. */
    record Host(String hostId) implements Principal {}

    /** An enrollment token; may only enroll new hosts, whose binding labels are {@code labels}. */
    record Enroller(String tokenId, String name, Map<String, String> labels, String from) implements Principal {}
}
