package dev.klpfleet.kernel.tracing;

/**
 * Another user found on a function a patch wants to replace.
 *
 * @param target the function the patch wants
 * @param kind what the other user is
 * @param evidence the raw line from {@code enabled_functions} or {@code kprobes/list} that shows it
 */
public record FtraceUsage(FuncTarget target, UsageKind kind, String evidence) {}
