package dev.klpfleet.agent.crash;

import dev.klpfleet.agent.state.BootCheckin;
import dev.klpfleet.agent.state.LoadMark;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The crash-loop guard's judgement, pure: the load marks left by earlier boots, the last check-in of
 * the boot they ran on, the current boot id and the window in; one {@link Finding} per judged mark out.
 *
 * <p>A patch whose new code brings the kernel down would otherwise be loaded again at every boot
 * (a boot service that re-applies patches has no memory). A mark from an earlier boot is suspect when
 * its load never returned, or when that boot was last seen alive (its last check-in) less than
 * {@code window} after the load returned: the kernel leaves no shutdown time behind a panic, so the
 * last check-in is the best lower bound on when the boot ended. A boot that ended cleanly within the
 * window is suspect too: the agent cannot tell a reboot from a crash, and holding a patch back until
 * an operator looks is the safe side.
 *
 * <p>Marks of the current boot are not judged (the agent restarted, the kernel did not). Without a
 * boot id ({@code /proc/sys/kernel/random/boot_id} unreadable) nothing can be judged.
 */
public final class CrashGuard {
    /** The default window: a patch that survived its boot this long after applying is not suspected. */
    public static final Duration DEFAULT_WINDOW = Duration.ofMinutes(10);

    /** {@link Finding.Suspect#reason()} values, as they appear in the event's evidence. */
    public static final String NEVER_COMPLETED = "load-never-completed";
    public static final String WITHIN_WINDOW = "applied-within-window";

    private CrashGuard() {}

    /** What the guard concluded about one mark from an earlier boot; either way the mark is done with. */
    public sealed interface Finding {
        LoadMark mark();

        /** Held back: reported as {@code crash-suspected} and not loaded again on its own. */
        record Suspect(LoadMark mark, String reason, Optional<BootCheckin> lastCheckin) implements Finding {}

        /** The boot lived at least the window after the load: nothing to hold back. */
        record Survived(LoadMark mark, BootCheckin lastCheckin) implements Finding {}
    }

    /**
     * @param bootId      the current boot's id; empty when unreadable (then nothing is judged)
     * @param loads       the marks in the state file
     * @param lastCheckin the last check-in the state file holds, of whichever boot
     */
    public static List<Finding> judge(Optional<String> bootId, Map<String, LoadMark> loads, BootCheckin lastCheckin, Duration window) {
        List<Finding> out = new ArrayList<>();
        if (bootId.isEmpty()) {
            return out;
        }
        for (LoadMark m : loads.values()) {
            if (m.bootId() == null || m.bootId().equals(bootId.get())) {
                continue;
            }
            // A check-in of another boot says nothing about how long this one lived.
            Optional<BootCheckin> seen = Optional.ofNullable(lastCheckin).filter(c -> m.bootId().equals(c.bootId()));
            if (m.completedAt() == null) {
                out.add(new Finding.Suspect(m, NEVER_COMPLETED, seen));
            } else if (seen.isEmpty() || Duration.between(m.completedAt(), seen.get().at()).compareTo(window) < 0) {
                out.add(new Finding.Suspect(m, WITHIN_WINDOW, seen));
            } else {
                out.add(new Finding.Survived(m, seen.get()));
            }
        }
        return out;
    }
}
