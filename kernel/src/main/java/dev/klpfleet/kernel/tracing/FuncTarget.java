package dev.klpfleet.kernel.tracing;

/**
 * A function a patch wants to replace, named as livepatch names it: the object ({@code vmlinux} or
 * a module name) and the function's symbol.
 */
public record FuncTarget(String object, String function) {

    public static final String VMLINUX = "vmlinux";

    public FuncTarget {
        if (object.isBlank() || function.isBlank()) {
            throw new IllegalArgumentException("object and function must be non-blank");
        }
        // Module names are stored with '_' by the kernel; match the way tracefs will print them.
        object = object.equals(VMLINUX) ? VMLINUX : object.replace('-', '_');
    }

    public static FuncTarget vmlinux(String function) {
        return new FuncTarget(VMLINUX, function);
    }

    boolean matches(String symbol, java.util.Optional<String> module) {
        if (!function.equals(symbol)) {
            return false;
        }
        return module.map(m -> m.replace('-', '_').equals(object)).orElse(object.equals(VMLINUX));
    }
}
