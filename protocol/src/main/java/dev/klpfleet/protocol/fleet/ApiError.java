package dev.klpfleet.protocol.fleet;

/** Every 4xx/5xx body: one line saying what was wrong. */
public record ApiError(String error) {}
