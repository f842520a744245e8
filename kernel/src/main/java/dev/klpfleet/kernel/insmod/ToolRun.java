package dev.klpfleet.kernel.insmod;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One run of {@code insmod} or {@code rmmod}.
 *
 * @param command  what was run
 * @param exitCode the tool's exit status; -1 if it did not end within its bound
 * @param output   what it printed (stdout and stderr), trimmed; the kernel's reason for a refusal
 *                 ("Invalid module format", "File exists") is here, details are in the kernel log
 * @param wall     wall-clock time from start to exit
 * @param cpu      the tool's own user+system CPU time, from the shell's {@code times} (10 ms
 *                 resolution); empty if it could not be measured. For insmod this is dominated by
 *                 the kernel's work in finit_module: symbol resolution and relocation of the patch.
 * @param cpusAllowed for a pinned run, the {@code Cpus_allowed_list} of the shell insmod ran under
 *                 ({@code /proc/PID/status}; insmod inherits it); null when not pinned or unreadable
 */
public record ToolRun(List<String> command, int exitCode, String output, Duration wall, Optional<Duration> cpu, String cpusAllowed) {
    public ToolRun {
        command = List.copyOf(command);
    }

    public ToolRun(List<String> command, int exitCode, String output, Duration wall, Optional<Duration> cpu) {
        this(command, exitCode, output, wall, cpu, null);
    }

    public boolean succeeded() {
        return exitCode == 0;
    }
}
