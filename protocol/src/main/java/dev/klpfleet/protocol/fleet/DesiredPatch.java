package dev.klpfleet.protocol.fleet;

/** A patch the host should have loaded: the artifact built for its kernel release, fetched by {@code sha256}. */
public record DesiredPatch(String patch, String version, String sha256, String module, String rolloutId) {}
