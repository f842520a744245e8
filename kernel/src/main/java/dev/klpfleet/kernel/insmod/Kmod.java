package dev.klpfleet.kernel.insmod;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Loads and unloads kernel modules with the system's own {@code insmod}/{@code rmmod} (kmod),
 * measuring each run's wall and CPU time.
 *
 * <p>The tool runs under {@code sh -c '...; times'} so the shell reports its child's CPU time after
 * it exits: a finished process's CPU time is otherwise unreadable from Java.
 */
public final class Kmod implements ModuleTool {
    /** insmod of a livepatch returns once the transition has started; resolving symbols can take seconds on big kernels. */
    public static final Duration INSMOD_TIMEOUT = Duration.ofMinutes(2);
    /** rmmod of a disabled patch module is quick; anything longer is a stuck module. */
    public static final Duration RMMOD_TIMEOUT = Duration.ofSeconds(30);

    private static final String MARK = "@@klpfleet-times@@";
    private static final String CPUS_MARK = "@@klpfleet-cpus@@";
    private static final List<Path> TASKSET = List.of(Path.of("/usr/bin/taskset"), Path.of("/bin/taskset"), Path.of("/usr/sbin/taskset"));
    private static final Pattern TIME = Pattern.compile("(\\d+)m([\\d.]+)s");

    /** Loads {@code ko}; never retried here, since a second insmod of a module that half-loaded would only say "File exists". */
    @Override
    public ToolRun insmod(Path ko) throws InterruptedException {
        return run(List.of("insmod", ko.toAbsolutePath().toString()), INSMOD_TIMEOUT, OptionalInt.empty());
    }

    /**
     * Loads {@code ko} under {@code taskset -c CPU} (util-linux; sched_setaffinity, which the JDK has no
     * API for). The shell that runs insmod prints its own {@code Cpus_allowed_list} first, which insmod
     * inherits: the evidence of where it could run.
     */
    @Override
    public ToolRun insmod(Path ko, int cpu) throws InterruptedException {
        if (!TASKSET.stream().anyMatch(Files::isExecutable)) {
            return insmod(ko); // no util-linux: unpinned, and the evidence says so (cpusAllowed null)
        }
        return run(List.of("insmod", ko.toAbsolutePath().toString()), INSMOD_TIMEOUT, OptionalInt.of(cpu));
    }

    /** Unloads the module named {@code name}. */
    @Override
    public ToolRun rmmod(String name) throws InterruptedException {
        return run(List.of("rmmod", name), RMMOD_TIMEOUT, OptionalInt.empty());
    }

    private static ToolRun run(List<String> command, Duration timeout, OptionalInt pin) throws InterruptedException {
        List<String> argv = new ArrayList<>();
        String allowed = "";
        if (pin.isPresent()) {
            argv.addAll(List.of("taskset", "-c", String.valueOf(pin.getAsInt())));
            allowed = "echo " + CPUS_MARK + "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/$$/status); ";
        }
        argv.addAll(List.of("sh", "-c", allowed + "\"$@\" 2>&1; rc=$?; echo " + MARK + "; times; exit $rc", "klpfleet"));
        argv.addAll(command);
        Path log;
        try {
            log = Files.createTempFile("klpfleet-" + command.get(0), ".out");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp file for " + command.get(0) + " output", e);
        }
        // Output goes to a file, not a pipe, so a chatty tool can never block on a full pipe.
        ProcessBuilder pb = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.put("PATH", "/usr/sbin:/sbin:/usr/bin:/bin:" + env.getOrDefault("PATH", ""));
        env.put("LC_ALL", "C");
        long start = System.nanoTime();
        Process p;
        try {
            p = pb.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            deleteQuietly(log);
            return new ToolRun(command, 127, "cannot run " + command.get(0) + ": " + e.getMessage(),
                    Duration.ZERO, Optional.empty());
        }
        String out;
        boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        if (!done) {
            // A process inside finit_module cannot be killed; we stop waiting and say so.
            p.destroyForcibly();
            deleteQuietly(log);
            return new ToolRun(command, -1, command.get(0) + " did not return within " + timeout.toSeconds() + " s",
                    wall, Optional.empty());
        }
        out = readAndDelete(log);
        int mark = out.indexOf(MARK);
        String own = mark < 0 ? out : out.substring(0, mark);
        Optional<Duration> cpu = mark < 0 ? Optional.empty() : childCpu(out.substring(mark + MARK.length()));
        String cpusAllowed = null;
        if (own.startsWith(CPUS_MARK)) {
            int nl = own.indexOf('\n');
            cpusAllowed = (nl < 0 ? own : own.substring(0, nl)).substring(CPUS_MARK.length()).strip();
            own = nl < 0 ? "" : own.substring(nl + 1);
            cpusAllowed = cpusAllowed.isEmpty() ? null : cpusAllowed;
        }
        List<String> ran = new ArrayList<>(pin.isPresent() ? List.of("taskset", "-c", String.valueOf(pin.getAsInt())) : List.of());
        ran.addAll(command);
        return new ToolRun(ran, p.exitValue(), own.strip(), wall, cpu, cpusAllowed);
    }

    /** {@code times} prints the shell's user/sys, then its children's user/sys, e.g. {@code 0m0.004s 0m0.120s}. */
    static Optional<Duration> childCpu(String times) {
        List<String> lines = times.strip().lines().toList();
        if (lines.size() < 2) {
            return Optional.empty();
        }
        Matcher m = TIME.matcher(lines.get(1));
        Duration total = Duration.ZERO;
        int found = 0;
        while (m.find()) {
            long nanos = Math.round(Double.parseDouble(m.group(2)) * 1e9);
            total = total.plusMinutes(Long.parseLong(m.group(1))).plusNanos(nanos);
            found++;
        }
        return found == 2 ? Optional.of(total) : Optional.empty();
    }

    private static String readAndDelete(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        } finally {
            deleteQuietly(log);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover temp file is harmless
        }
    }
}
