package dev.klpfleet.kernel.task;

/**
 * A task's {@code /proc/<pid>/patch_state} (4.12+): which universe the task runs in while a
 * transition is in progress.
 */
public enum PatchState {
    /** -1: no transition in progress. */
    NONE(-1),
    /** 0: the task still runs the old (unpatched) code. */
    UNPATCHED(0),
    /** 1: the task runs the new (patched) code. */
    PATCHED(1);

    private final int value;

    PatchState(int value) {
        this.value = value;
    }

    public int value() {
        return value;
    }

    /** The wire form: {@code none}, {@code unpatched}, {@code patched}. */
    @Override
    public String toString() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static PatchState of(int value) {
        return switch (value) {
            case 0 -> UNPATCHED;
            case 1 -> PATCHED;
            default -> NONE;
        };
    }
}
