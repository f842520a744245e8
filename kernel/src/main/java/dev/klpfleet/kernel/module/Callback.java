package dev.klpfleet.kernel.module;

/**
 * A set {@code klp_object.callbacks} pointer (kernel 4.15+).
 *
 * @param hook     the field: {@code pre_patch}, {@code post_patch}, {@code pre_unpatch} or {@code post_unpatch}
 * @param function the module's function symbol it points at, or {@code "unknown"}
 */
public record Callback(String hook, String function) {}
