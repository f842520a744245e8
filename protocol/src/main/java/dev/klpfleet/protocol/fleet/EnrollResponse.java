package dev.klpfleet.protocol.fleet;

/** The host's id and its credential: a bearer token that acts only as this host. Shown once; the server keeps only its hash. */
public record EnrollResponse(String hostId, String credential) {}
