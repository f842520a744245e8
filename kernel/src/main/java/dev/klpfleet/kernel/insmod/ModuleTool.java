package dev.klpfleet.kernel.insmod;

import java.nio.file.Path;

/**
 * What loads and unloads kernel modules: {@link Kmod} (the system's insmod/rmmod) on a host, a
 * scripted one in tests of the paths a fixture kernel cannot take.
 */
public interface ModuleTool {
    /** Loads {@code ko}; a failure is a {@link ToolRun} with a non-zero exit code, not an exception. */
    ToolRun insmod(Path ko) throws InterruptedException;

    /**
     * Loads {@code ko} with insmod allowed to run on {@code cpu} only; the run's {@link ToolRun#cpusAllowed}
     * says what the process was allowed. A tool that cannot pin loads unpinned (cpusAllowed null).
     */
    default ToolRun insmod(Path ko, int cpu) throws InterruptedException {
        return insmod(ko);
    }

    /** Unloads the module named {@code name}; a failure is a {@link ToolRun} with a non-zero exit code. */
    ToolRun rmmod(String name) throws InterruptedException;
}
