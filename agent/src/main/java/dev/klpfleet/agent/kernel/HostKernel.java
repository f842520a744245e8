package dev.klpfleet.agent.kernel;

import dev.klpfleet.agent.reconcile.Observation;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.module.ModuleInspection;
import java.nio.file.Path;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.kernel.transition.BlockerRecheck;
import java.util.List;
import java.util.Set;

/** The running kernel as the agent uses it: observe, load one patch, unload one patch. */
public interface HostKernel {

    /** Reads release, livepatches, taint, and which of {@code modules} are loaded; writes nothing. */
    Observation observe(Set<String> modules);

    /** Whether the kernel has the livepatch interface at all ({@code /sys/kernel/livepatch}). */
    boolean livepatchSupported();

    /** Loads {@code ko} and waits for its transition; see {@code PatchLoader#load}. */
    LoadResult load(Path ko, ModuleInspection module) throws InterruptedException;

    /** Disables and removes {@code patch}; see {@code PatchLoader#unload}. */
    LoadResult unload(String patch) throws InterruptedException;

    /**
     * Where the tasks that blocked a stalled transition are now ({@code /proc/PID/task/TID/stack}): still
     * in a patched function, left it, or gone. One stack read per blocker; the caller bounds the rate.
     */
    default List<BlockerRecheck.Seen> recheck(List<Blocker> last) {
        return List.of();
    }
}
