package dev.klpfleet.kernel.modules;

import java.util.Optional;

/** A module's life-cycle state as {@code /proc/modules} prints it (kernel/module: m_show). */
public enum ModuleState {
    LIVE("Live"),
    /** Its init function is still running (insmod has not returned). */
    LOADING("Loading"),
    /** rmmod is in progress. */
    UNLOADING("Unloading");

    private final String word;

    ModuleState(String word) {
        this.word = word;
    }

    /** The word printed in {@code /proc/modules}. */
    public String word() {
        return word;
    }

    static Optional<ModuleState> ofWord(String word) {
        for (ModuleState s : values()) {
            if (s.word.equals(word)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }
}
