package dev.klpfleet.server.host;

import dev.klpfleet.protocol.fleet.LoadedPatch;
import java.util.List;

/**
 * The part of a check-in stored as the host's observed state.
 *
 * @param taint the last taint mask the host could read; null while it never could (a check-in
 *              without taint keeps the one before)
 */
public record Observed(List<LoadedPatch> loaded, Long taint) {
    public static final Observed NOTHING = new Observed(List.of(), null);

    /** True if a patch of this name and version is loaded and not disabled. */
    public boolean has(String patch, String version) {
        return loaded.stream().anyMatch(p -> p.name().equals(patch) && version.equals(p.version()) && !"disabled".equals(p.state()));
    }
}
