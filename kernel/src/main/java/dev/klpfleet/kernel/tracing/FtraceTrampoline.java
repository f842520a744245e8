package dev.klpfleet.kernel.tracing;

import java.util.Optional;

/**
 * One {@code tramp:} entry of an {@code enabled_functions} line.
 *
 * @param trampoline the trampoline as {@code %pS} printed it: a bare address on kernels that do not
 *     name dynamic trampolines, {@code ftrace_trampoline+0x0/0x...} on newer ones, {@code ERROR!}
 *     when the kernel found no ops
 * @param handler the ops' callback in parentheses (e.g. {@code klp_ftrace_handler+0x0/0x1c0}); empty
 *     on kernels that do not print it
 * @param callTarget what the trampoline calls, after {@code ->} (x86 only)
 */
public record FtraceTrampoline(String trampoline, Optional<String> handler, Optional<String> callTarget) {

    /** True when this trampoline belongs to livepatch's ftrace ops ({@code klp_ftrace_handler}). */
    public boolean isLivepatch() {
        return handler.filter(h -> h.startsWith("klp_ftrace_handler")).isPresent()
                || callTarget.filter(h -> h.startsWith("klp_ftrace_handler")).isPresent();
    }
}
