package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.insmod.Kmod;
import dev.klpfleet.kernel.insmod.ModuleTool;
import dev.klpfleet.kernel.insmod.ToolRun;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.pin.InsmodPinning;
import dev.klpfleet.kernel.pin.Pinning;
import dev.klpfleet.kernel.preflight.Preflight;
import dev.klpfleet.kernel.preflight.PreflightReport;
import dev.klpfleet.kernel.preflight.Verdict;
import dev.klpfleet.kernel.task.Tasks;
import dev.klpfleet.kernel.time.MonotonicClock;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.kernel.transition.BlockerFinder;
import dev.klpfleet.kernel.transition.TransitionOutcome;
import dev.klpfleet.kernel.transition.TransitionWatch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/**
 * Applies and removes livepatches on the running kernel, and never leaves a host half-done: a
 * load either ends with the patch fully in, or with the kernel as it was before (module gone), or
 * - only when asked with {@link OnStall#WAIT} - with the transition still running and said so.
 *
 * <p>Every step reads before it writes, so running the same load or unload again after a crash
 * finishes the job instead of failing: an already applied patch is reported applied, a patch left
 * in transition is seen by preflight, a disabled patch's module is simply removed.
 *
 * <p>Never writes {@code force}.
 */
public final class PatchLoader {
    /**
     * The default bound on a reversal ({@link LoadOptions#reverseTimeout}): it only has to switch tasks
     * back to code they ran moments ago; longer means something is wrong.
     */
    public static final Duration REVERSE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * After a patch is disabled or replaced the kernel frees it from a workqueue
     * (klp_free_patch_async), and only then drops the module reference; rmmod before that says
     * "in use". We retry within this bound.
     */
    public static final Duration RMMOD_SETTLE = Duration.ofSeconds(10);
    private static final Duration RMMOD_FIRST_BACKOFF = Duration.ofMillis(20);
    private static final Duration RMMOD_MAX_BACKOFF = Duration.ofSeconds(1);

    private final KernelRoot root;
    private final LivepatchSysfs sysfs;
    private final Preflight preflight;
    private final TransitionWatch watch;
    private final ModuleTool tool;
    private final InstantSource wall;
    private final MonotonicClock clock;
    private final Pause pause;
    private final RandomGenerator random;
    private final OperationLog.Factory logs;
    private final InsmodPinning pinning;

    /**
     * @param wall   for the instants the operation reports (kernel log matching); never for a deadline
     * @param clock  for every deadline and duration: RMMOD_SETTLE, REVERSE_TIMEOUT, the stall timeout
     * @param random the jitter of rmmod retries
     */
    public PatchLoader(KernelRoot root, LivepatchSysfs sysfs, Preflight preflight, TransitionWatch watch, ModuleTool tool,
                       InstantSource wall, MonotonicClock clock, Pause pause, RandomGenerator random, OperationLog.Factory logs) {
        this.root = root;
        this.sysfs = sysfs;
        this.preflight = preflight;
        this.watch = watch;
        this.tool = tool;
        this.wall = wall;
        this.clock = clock;
        this.pause = pause;
        this.random = random;
        this.logs = logs;
        this.pinning = new InsmodPinning(root, pause);
    }

    /** The loader of the kernel at {@code root} as the CLI uses it: real kmod, kernel log, sleeps, clocks and randomness. */
    public static PatchLoader of(KernelRoot root, InstantSource wall) {
        return of(root, wall, RandomGenerator.getDefault());
    }

    /** As {@link #of(KernelRoot, InstantSource)}, with the caller's randomness (the agent passes its own). */
    public static PatchLoader of(KernelRoot root, InstantSource wall, RandomGenerator random) {
        LivepatchSysfs sysfs = new LivepatchSysfs(root);
        MonotonicClock clock = MonotonicClock.SYSTEM;
        return new PatchLoader(root, sysfs, new Preflight(root), new TransitionWatch(sysfs, new BlockerFinder(new Tasks(root)), clock, Pause.REAL),
                new Kmod(), wall, clock, Pause.REAL, random, KernelOperationLog.factory(root, wall));
    }

    /**
     * Loads the livepatch module {@code ko}, already inspected as {@code module}, and waits for its
     * transition. See {@link Result} for the possible outcomes.
     */
    public LoadResult load(Path ko, ModuleInspection module, LoadOptions options) throws InterruptedException {
        long start = clock.nanoTime();
        String name = module.name().replace('-', '_');
        String release = preflight.runningRelease();
        Report report = new Report(name, ko.toString(), module.sha256(), release);

        Optional<KlpPatch> existing = sysfs.patch(name);
        if (existing.isPresent() && existing.get().enabled() && !existing.get().transition()) {
            Optional<String> same = sameBuild(existing.get(), module);
            if (same.isPresent()) {
                return report.done(Result.APPLIED, "already applied: " + name + " is enabled and not in transition ("
                        + same.get() + "); nothing done", start);
            }
        }

        PreflightReport checks = preflight.check(module);
        report.preflight = checks;
        if (checks.verdict() == Verdict.FAIL) {
            return report.done(Result.REFUSED, "refused: " + checks.failures().stream()
                    .map(c -> c.name() + ": " + c.reason()).collect(Collectors.joining("; ")), start);
        }

        Set<String> before = sysfs.patches().stream().map(KlpPatch::name).collect(Collectors.toSet());
        // Chosen before the operation's impact sampling starts, so its window is not counted as insmod's cost.
        InsmodPinning.Choice choice = options.pinInsmod() ? pinning.choose() : null;
        try (OperationLog log = logs.open("loading " + name + " sha256=" + module.sha256())) {
            report.log = log;
            Integer cpu = choice == null ? null : choice.pinning().cpu();
            ToolRun insmod = cpu == null ? tool.insmod(ko) : tool.insmod(ko, cpu);
            report.insmod = insmod;
            report.pinning = choice == null ? Pinning.off("not pinned: turned off (--no-pin-insmod)")
                    : cpu != null && insmod.cpusAllowed() == null
                    ? Pinning.off("not pinned: taskset (util-linux) not found, insmod ran where the scheduler put it")
                    : pinning.after(choice, insmod.cpusAllowed());
            if (!insmod.succeeded()) {
                log.phaseDone();
                // A module whose init failed is freed by the kernel; remove anything that stayed anyway.
                removeLeftover(name);
                return report.done(Result.LOAD_FAILED, "insmod failed: " + firstLine(insmod.output()), start);
            }
            Instant watchStartedAt = wall.instant();
            long watchStart = clock.nanoTime();
            TransitionOutcome outcome;
            try {
                // The impact sample that ends the insmod phase is taken after the first look, so
                // it never delays seeing a transition the kernel completed inside insmod.
                outcome = awaitSignalling(name, watchStart, options.stallTimeout(), log::phaseDone, report);
                log.phaseDone();
            } catch (RuntimeException e) {
                // Whatever broke the watch, the host must not keep a patch nobody is watching.
                removeLeftover(name);
                throw e;
            }
            report.watched(watchStartedAt, outcome, log);
            if (outcome instanceof TransitionOutcome.Stalled stalled) {
                report.blockers = stalled.blockers();
                report.advise(StallAdvice.forBlockers(release, stalled.blockers()));
                if (options.onStall() == OnStall.WAIT) {
                    return report.done(Result.STALLED_WAITING, "transition of " + name + " stalled after "
                            + seconds(stalled.elapsed()) + "; still in progress as asked (" + who(stalled.blockers()) + ")", start);
                }
                return reverseLoad(report, name, stalled, start, options.reverseTimeout());
            }
            if (outcome instanceof TransitionOutcome.Vanished) {
                return report.done(Result.LOAD_FAILED, "patch " + name + " disappeared during its transition (disabled by someone else?)", start);
            }
            List<String> replaced = before.stream().filter(p -> sysfs.patch(p).isEmpty()).sorted().toList();
            report.replaced = replaced;
            if (!options.keepReplaced()) {
                for (String old : replaced) {
                    rmmodSettled(old);
                }
            }
            return report.done(Result.APPLIED, "applied " + name + " in " + seconds(clock.since(start))
                    + (replaced.isEmpty() ? "" : "; replaced " + String.join(", ", replaced)), start);
        }
    }

    /**
     * Disables the patch {@code name}, waits for the unpatching transition and removes its module.
     * A patch already disabled and freed only has its module removed.
     */
    public LoadResult unload(String name, LoadOptions options) throws InterruptedException {
        long start = clock.nanoTime();
        name = name.replace('-', '_');
        Report report = new Report(name, null, null, preflight.runningRelease());
        Optional<KlpPatch> patch = sysfs.patch(name);
        boolean moduleLoaded = root.exists("/sys/module/" + name);
        if (patch.isEmpty() && !moduleLoaded) {
            return report.done(Result.NOT_LOADED, "no patch or module named " + name + " is loaded", start);
        }
        try (OperationLog log = logs.open("unloading " + name)) {
            report.log = log;
            if (patch.isPresent() && patch.get().enabled()) {
                try {
                    sysfs.setEnabled(name, false);
                } catch (IOException e) {
                    return report.done(Result.DISABLE_FAILED, "cannot disable " + name + ": " + e.getMessage(), start);
                } finally {
                    log.phaseDone();
                }
                Instant watchStartedAt = wall.instant();
                TransitionOutcome outcome = awaitSignalling(name, clock.nanoTime(), options.stallTimeout(), () -> {}, report);
                report.watched(watchStartedAt, outcome, log);
                if (outcome instanceof TransitionOutcome.Stalled stalled) {
                    report.blockers = stalled.blockers();
                    report.advise(StallAdvice.forBlockers(report.release, stalled.blockers()));
                    if (options.onStall() == OnStall.WAIT) {
                        return report.done(Result.STALLED_WAITING, "unpatching " + name + " stalled after "
                                + seconds(stalled.elapsed()) + "; still in progress as asked (" + who(stalled.blockers()) + ")", start);
                    }
                    Optional<LoadResult> failed = reverse(report, name, true, start, options.reverseTimeout());
                    return failed.orElseGet(() -> report.done(Result.STALLED_REVERTED, "unpatching " + report.name + " stalled for "
                            + seconds(stalled.elapsed()) + " (" + who(stalled.blockers()) + "); re-enabled, the patch stays applied", start));
                }
            }
            Optional<ToolRun> rmmod = rmmodSettled(name);
            rmmod.ifPresent(r -> report.insmod = r);
            if (rmmod.isPresent() && !rmmod.get().succeeded()) {
                return report.done(Result.RMMOD_FAILED, name + " is disabled but rmmod failed: " + firstLine(rmmod.get().output()), start);
            }
            return report.done(Result.UNLOADED, "unloaded " + name, start);
        }
    }

    private LoadResult reverseLoad(Report report, String name, TransitionOutcome.Stalled stalled, long start, Duration bound)
            throws InterruptedException {
        long revertStart = clock.nanoTime();
        Optional<LoadResult> failed = reverse(report, name, false, start, bound);
        if (failed.isPresent()) {
            return failed.get();
        }
        Optional<ToolRun> rmmod = rmmodSettled(name);
        report.revert = clock.since(revertStart);
        if (rmmod.isPresent() && !rmmod.get().succeeded()) {
            return report.done(Result.RMMOD_FAILED, "transition reversed but rmmod " + name + " failed: "
                    + firstLine(rmmod.get().output()), start);
        }
        return report.done(Result.STALLED_REVERTED, "transition of " + name + " stalled for " + seconds(stalled.elapsed())
                + " (" + who(stalled.blockers()) + "); reversed and removed, the kernel is as before", start);
    }

    /**
     * Backs out a stalled transition, of a load ({@code enable} false: write 0) or of an unload
     * ({@code enable} true: write 1), and waits up to {@code bound} ({@link LoadOptions#reverseTimeout}) for the reversal.
     * The kernel reverses a running transition on that write (klp_reverse_transition, since 4.12).
     *
     * @return the result when the write failed (DISABLE_FAILED) or the reversal stalled too
     *         (REVERT_STALLED); empty when the kernel is back where it started
     */
    private Optional<LoadResult> reverse(Report report, String name, boolean enable, long start, Duration bound)
            throws InterruptedException {
        String what = enable ? "unpatching " + name : "transition of " + name;
        long revertStart = clock.nanoTime();
        try {
            sysfs.setEnabled(name, enable);
        } catch (IOException e) {
            report.revert = clock.since(revertStart);
            return Optional.of(report.done(Result.DISABLE_FAILED, what + " stalled and writing " + (enable ? 1 : 0)
                    + " to enabled failed: " + e.getMessage(), start));
        }
        TransitionOutcome back = watch.await(name, revertStart, bound);
        report.revert = clock.since(revertStart);
        if (back instanceof TransitionOutcome.Stalled again) {
            report.blockers = again.blockers();
            return Optional.of(report.done(Result.REVERT_STALLED, what + " stalled, and so did " + (enable ? "re-enabling it" : "its reversal")
                    + " (" + who(again.blockers()) + "); the patch is still loaded: a human must look", start));
        }
        return Optional.empty();
    }

    /**
     * Waits for {@code name}'s transition as {@link TransitionWatch#await} does; on kernels before 5.1,
     * which do not signal blocked tasks themselves (klp_send_signals runs from klp_transition_work_fn
     * since 5.1, every 15 s), writes 1 to {@code /sys/kernel/livepatch/NAME/signal} (4.18 to 5.0) once
     * half the stall timeout has passed: a fake signal wakes tasks asleep interruptibly in a patched
     * function and lets them switch on their way back to user space. Never writes {@code force}.
     */
    private TransitionOutcome awaitSignalling(String name, long startNanos, Duration stallTimeout, Runnable afterFirstLook,
                                              Report report) throws InterruptedException {
        String signal = LivepatchSysfs.DIR + "/" + name + "/signal";
        if (root.exists(signal) && !StallAdvice.kernelSignalsItself(preflight.runningRelease())) {
            TransitionOutcome half = watch.await(name, startNanos, stallTimeout.dividedBy(2), afterFirstLook);
            if (!(half instanceof TransitionOutcome.Stalled)) {
                return half;
            }
            try {
                root.write(signal, "1");
                report.advise(List.of("wrote 1 to " + signal + " after " + seconds(stallTimeout.dividedBy(2))
                        + ": kernels before 5.1 do not signal blocked tasks by themselves"));
            } catch (IOException e) {
                report.advise(List.of("writing 1 to " + signal + " failed: " + e.getMessage()));
            }
            return watch.await(name, startNanos, stallTimeout);
        }
        return watch.await(name, startNanos, stallTimeout, afterFirstLook);
    }

    /**
     * Removes a module whose patch is disabled or replaced, retrying with jittered backoff while the
     * kernel has not yet dropped its reference. Empty when the module is not loaded.
     */
    private Optional<ToolRun> rmmodSettled(String name) throws InterruptedException {
        long deadline = clock.nanoTime() + RMMOD_SETTLE.toNanos();
        Duration backoff = RMMOD_FIRST_BACKOFF;
        ToolRun last = null;
        while (root.exists("/sys/module/" + name)) {
            last = tool.rmmod(name);
            if (last.succeeded() || clock.reached(deadline)) {
                return Optional.of(last);
            }
            long jitter = random.nextLong(backoff.toMillis() / 2 + 1);
            pause.sleep(backoff.plusMillis(jitter));
            backoff = backoff.multipliedBy(2).compareTo(RMMOD_MAX_BACKOFF) > 0 ? RMMOD_MAX_BACKOFF : backoff.multipliedBy(2);
        }
        return Optional.ofNullable(last);
    }

    private void removeLeftover(String name) throws InterruptedException {
        if (root.exists("/sys/module/" + name)) {
            Optional<KlpPatch> p = sysfs.patch(name);
            if (p.isPresent() && p.get().enabled()) {
                try {
                    sysfs.setEnabled(name, false);
                } catch (IOException ignored) {
                    // the rmmod below will report what is left
                }
                watch.await(name, clock.nanoTime(), REVERSE_TIMEOUT);
            }
            rmmodSettled(name);
        }
    }

    /**
     * Why the loaded patch is this very module, or empty when it is not (or cannot be told). The
     * {@code srcversion} (a hash of the sources, in /sys/module/NAME/srcversion) settles it when
     * both have one; modpost adds it only with MODULE_VERSION or CONFIG_MODULE_SRCVERSION_ALL, so
     * otherwise the same name patching the same functions is the best evidence there is.
     */
    private Optional<String> sameBuild(KlpPatch loaded, ModuleInspection module) {
        Optional<String> loadedVersion = root.read("/sys/module/" + loaded.name() + "/srcversion").map(String::strip);
        if (module.srcversion().isPresent() && loadedVersion.isPresent()) {
            return loadedVersion.equals(module.srcversion())
                    ? Optional.of("same srcversion " + loadedVersion.get())
                    : Optional.empty();
        }
        Set<String> inSysfs = loaded.funcs().stream()
                .map(f -> f.object() + ":" + f.func().name() + "," + f.func().sympos()).collect(Collectors.toSet());
        Set<String> inFile = module.objects().stream()
                .flatMap(o -> o.funcs().stream().map(f -> o.name() + ":" + f.sysfsName())).collect(Collectors.toSet());
        return !inFile.isEmpty() && inFile.equals(inSysfs)
                ? Optional.of("same name and functions; no srcversion to compare builds")
                : Optional.empty();
    }

    static String who(List<Blocker> blockers) {
        if (blockers.isEmpty()) {
            return "no blocking task found";
        }
        Blocker b = blockers.stream().filter(x -> !x.functions().isEmpty()).findFirst().orElse(blockers.get(0));
        String where = b.functions().isEmpty() ? "" : " in " + String.join(", ", b.functions());
        String more = blockers.size() > 1 ? " and " + (blockers.size() - 1) + " more" : "";
        return (b.kthread() ? "kernel thread " : "task ") + b.comm() + " pid " + b.pid() + where + more;
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl);
    }

    /** Collects the evidence of one operation as it goes; turned into a {@link LoadResult} once. */
    private final class Report {
        final String name;
        final String file;
        final String sha256;
        final String release;
        PreflightReport preflight;
        ToolRun insmod;
        OperationLog log;
        List<Blocker> blockers = List.of();
        List<String> replaced = List.of();
        Duration revert;
        Pinning pinning;
        final List<String> advice = new java.util.ArrayList<>();
        Long transitionMs;
        Long detectionLagMs;

        Report(String name, String file, String sha256, String release) {
            this.name = name;
            this.file = file;
            this.sha256 = sha256;
            this.release = release;
        }

        void advise(List<String> lines) {
            lines.stream().filter(l -> !advice.contains(l)).forEach(advice::add);
        }

        void watched(Instant watchStart, TransitionOutcome outcome, OperationLog log) {
            OperationLog.TransitionTimes t = log.transitionTimes(name, watchStart, outcome);
            transitionMs = t.transitionMs();
            detectionLagMs = t.detectionLagMs();
        }

        LoadResult done(Result result, String message, long start) {
            Timings timings = new Timings(
                    insmod == null ? null : insmod.wall().toMillis(),
                    insmod == null ? null : insmod.cpu().map(Duration::toMillis).orElse(null),
                    transitionMs, detectionLagMs,
                    revert == null ? null : revert.toMillis(),
                    clock.since(start).toMillis());
            List<String> kernelLog = log == null ? List.of() : log.lines();
            Impact measured = log == null ? null : log.impact();
            Impact impact = measured == null ? null : new Impact(measured.insmod(), measured.transition(), pinning);
            String said = advice.stream().filter(StallAdvice::isAdvice).findFirst().map(a -> message + "; " + a).orElse(message);
            return new LoadResult(result, name, file, sha256, release, said,
                    preflight == null ? List.of() : preflight.checks(), timings, blockers, replaced, kernelLog, impact, advice);
        }
    }
}
