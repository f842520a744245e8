package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.insmod.ModuleTool;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.insmod.ToolRun;
import dev.klpfleet.kernel.time.MonotonicClock;
import dev.klpfleet.kernel.transition.TransitionOutcome;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A kernel acting on a fixture tree the way a real one does, on fake time: insmod creates the
 * patch's sysfs directory with a transition running; a write to {@code enabled} starts (or
 * reverses) a transition; a transition that ends clears {@code transition}, and a disabled patch is
 * then freed (its directory goes; its module stays until rmmod). How long each transition takes,
 * whether insmod fails and how often rmmod says "in use" are scripted. Also the {@link ModuleTool}
 * and the time source ({@link #clock()}, {@link #wall()}, {@link #pause()}) of the loader under test.
 */
final class ScriptedKernel implements ModuleTool {
    static final Instant T0 = Instant.parse("2026-11-28T03:00:00Z");
    /** A transition that never ends by itself (a task sleeping in a patched function). */
    static final Duration NEVER = Duration.ofDays(365);

    final KernelRoot root;
    final List<String> calls = new ArrayList<>();
    final List<Duration> sleeps = new ArrayList<>();
    /** How long each transition takes, in the order they start; a transition not scripted takes 1 s. */
    final Deque<Duration> transitions = new ArrayDeque<>();
    boolean insmodFails;
    /** Runs once insmod made the patch's sysfs directory: tasks and attributes a test adds for that patch. */
    Runnable afterInsmod = () -> {};
    /** {@code PATH=VALUE} of every non-empty {@code signal} or {@code force} attribute the patch had when it was freed, or has now. */
    final List<String> writes = new ArrayList<>();
    /** The CPUs insmod was pinned to, in order. */
    final List<Integer> pinnedTo = new ArrayList<>();
    /** How many rmmods answer "in use" before one works. */
    int rmmodBusy;
    /** A wall-clock step (e.g. NTP) applied once at {@link #wallStepAt} on the monotonic clock. */
    Duration wallStep = Duration.ZERO;
    Duration wallStepAt = Duration.ZERO;

    private long nanos;
    private Instant wallNow = T0;
    private boolean stepped;
    private String patch;
    private boolean enabled;
    private long transitionEndsAt = -1;

    ScriptedKernel(KernelRoot root) {
        this.root = root;
    }

    /** Shows {@code name} as an applied patch (enabled, transition done, module loaded). */
    ScriptedKernel applied(String name) {
        patch = name;
        enabled = true;
        write("/sys/kernel/livepatch/" + name + "/enabled", "1");
        write("/sys/kernel/livepatch/" + name + "/transition", "0");
        mkdirs("/sys/kernel/livepatch/" + name + "/vmlinux/cmdline_proc_show,1");
        mkdirs("/sys/module/" + name);
        return this;
    }

    MonotonicClock clock() {
        return () -> nanos;
    }

    InstantSource wall() {
        return () -> wallNow;
    }

    Pause pause() {
        return d -> {
            sleeps.add(d);
            nanos += d.toNanos();
            wallNow = wallNow.plus(d);
            if (!stepped && nanos >= wallStepAt.toNanos() && !wallStep.isZero()) {
                wallNow = wallNow.plus(wallStep);
                stepped = true;
            }
            tick();
        };
    }

    boolean moduleLoaded(String name) {
        return root.exists("/sys/module/" + name);
    }

    Optional<String> enabledFile(String name) {
        return root.read("/sys/kernel/livepatch/" + name + "/enabled");
    }

    @Override
    public ToolRun insmod(Path ko) {
        calls.add("insmod");
        String name = ko.getFileName().toString().replace(".ko", "");
        if (insmodFails) {
            return run("insmod", 1, "insmod: ERROR: could not insert module " + ko + ": Invalid parameters");
        }
        mkdirs("/sys/module/" + name);
        mkdirs("/sys/kernel/livepatch/" + name + "/vmlinux/cmdline_proc_show,1");
        write("/sys/kernel/livepatch/" + name + "/enabled", "1");
        patch = name;
        enabled = true;
        startTransition();
        afterInsmod.run();
        return run("insmod", 0, "");
    }

    /** As insmod, allowed on {@code cpu} only: the run says so the way the real tool's shell does. */
    @Override
    public ToolRun insmod(Path ko, int cpu) {
        pinnedTo.add(cpu);
        ToolRun r = insmod(ko);
        return new ToolRun(List.of("taskset", "-c", String.valueOf(cpu), "insmod"), r.exitCode(), r.output(), r.wall(), r.cpu(),
                String.valueOf(cpu));
    }

    void writeFile(String absolute, String value) {
        write(absolute, value);
    }

    /** Notes what was written to the patch's signal and force attributes, before they go with it. */
    void noteAttributes() {
        for (String a : List.of("signal", "force")) {
            String file = "/sys/kernel/livepatch/" + patch + "/" + a;
            root.read(file).map(String::strip).filter(v -> !v.isEmpty()).ifPresent(v -> writes.add(file + "=" + v));
        }
    }

    @Override
    public ToolRun rmmod(String name) {
        calls.add("rmmod");
        boolean patchAlive = root.exists("/sys/kernel/livepatch/" + name);
        if (patchAlive || rmmodBusy > 0) {
            rmmodBusy--;
            return run("rmmod", 1, "rmmod: ERROR: Module " + name + " is in use");
        }
        delete("/sys/module/" + name);
        return run("rmmod", 0, "");
    }

    /**
     * The sysfs of this kernel: a write to {@code enabled} starts unpatching, or reverses the running
     * transition, before the write returns (enabled_store sets up the transition synchronously, 4.12+).
     */
    LivepatchSysfs sysfs() {
        return new LivepatchSysfs(root) {
            @Override
            public void setEnabled(String name, boolean value) throws IOException {
                super.setEnabled(name, value);
                enabled = value;
                startTransition();
            }
        };
    }

    /** What the kernel does between two polls: end a transition whose time has come. */
    private void tick() {
        if (patch == null || !root.exists("/sys/kernel/livepatch/" + patch)) {
            return;
        }
        if (transitionEndsAt >= 0 && nanos >= transitionEndsAt) {
            transitionEndsAt = -1;
            write("/sys/kernel/livepatch/" + patch + "/transition", "0");
            if (!enabled) {
                noteAttributes();
                delete("/sys/kernel/livepatch/" + patch); // klp_free_patch: the patch is gone, its module stays
            }
        }
    }

    private void startTransition() {
        Duration takes = transitions.isEmpty() ? Duration.ofSeconds(1) : transitions.poll();
        transitionEndsAt = nanos + takes.toNanos();
        write("/sys/kernel/livepatch/" + patch + "/transition", "1");
    }

    private static ToolRun run(String tool, int exit, String output) {
        return new ToolRun(List.of(tool), exit, output, Duration.ZERO, Optional.empty());
    }

    private void write(String absolute, String value) {
        try {
            Files.createDirectories(root.path(absolute).getParent());
            Files.writeString(root.path(absolute), value + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void mkdirs(String absolute) {
        try {
            Files.createDirectories(root.path(absolute));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void delete(String absolute) {
        try (Stream<Path> all = Files.walk(root.path(absolute))) {
            for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An operation log that records nothing: the kernel log and impact are not what these tests are about. */
    static final OperationLog.Factory NO_LOG = what -> new OperationLog() {
        @Override
        public TransitionTimes transitionTimes(String p, Instant watchStart, TransitionOutcome outcome) {
            return new TransitionTimes(null, null);
        }

        @Override
        public List<String> lines() {
            return List.of();
        }

        @Override
        public void phaseDone() {
        }

        @Override
        public Impact impact() {
            return null;
        }

        @Override
        public void close() {
        }
    };
}
