package dev.klpfleet.kernel.module;

/**
 * A fact about a module that its file does not settle.
 *
 * @param field  the {@link ModuleInspection} field concerned, e.g. {@code "objects"} or {@code "replace"}
 * @param reason why, in one line
 */
public record Unknown(String field, String reason) {}
