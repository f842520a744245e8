package dev.klpfleet.kernel.load;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import dev.klpfleet.kernel.insmod.ModuleTool;
import dev.klpfleet.kernel.insmod.ToolRun;
import dev.klpfleet.kernel.livepatch.KlpPatch;
import dev.klpfleet.kernel.livepatch.LivepatchSysfs;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.preflight.Preflight;
import dev.klpfleet.kernel.preflight.PreflightReport;
import dev.klpfleet.kernel.preflight.Verdict;
import dev.klpfleet.kernel.task.Tasks;
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
import java.util.concurrent.ThreadLocalRandom;
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
    /** A reversal only has to switch tasks back to code they ran moments ago; longer means something is wrong. */
    public static final Duration REVERSE_TIMEOUT = Duration.ofSeconds(30);
    /**
     * After a patch is disabled or replaced the kernel frees it from a workqueue
     * (klp_free_patch_async), and only then drops the module reference; rmmod before that says
     * "in use". We retry within this bound.
     */
    public static final Duration RMMOD_SETTLE = Duration.ofSeconds(10);
    private static final Duration RMMOD_FIRST_BACKOFF = Duration.ofMillis(20);

    private final KernelRoot root;
    private final LivepatchSysfs sysfs;
    private final Preflight preflight;
    private final TransitionWatch watch;
    private final ModuleTool tool;
    private final InstantSource clock;
    private final Pause pause;
    private final OperationLog.Factory logs;

    public PatchLoader(KernelRoot root, ModuleTool tool, InstantSource clock, Pause pause, OperationLog.Factory logs) {
        this.root = root;
        this.sysfs = new LivepatchSysfs(root);
        this.preflight = new Preflight(root);
        this.watch = new TransitionWatch(sysfs, new BlockerFinder(new Tasks(root)), clock, pause);
        this.tool = tool;
        this.clock = clock;
        this.pause = pause;
        this.logs = logs;
    }

    /**
     * Loads the livepatch module {@code ko}, already inspected as {@code module}, and waits for its
     * transition. See {@link Result} for the possible outcomes.
     */
    public LoadResult load(Path ko, ModuleInspection module, LoadOptions options) throws InterruptedException {
        Instant start = clock.instant();
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
        try (OperationLog log = logs.open("loading " + name + " sha256=" + module.sha256())) {
            report.log = log;
            ToolRun insmod = tool.insmod(ko);
            report.insmod = insmod;
            if (!insmod.succeeded()) {
                log.phaseDone();
                // A module whose init failed is freed by the kernel; remove anything that stayed anyway.
                removeLeftover(name);
                return report.done(Result.LOAD_FAILED, "insmod failed: " + firstLine(insmod.output()), start);
            }
            Instant watchStart = clock.instant();
            TransitionOutcome outcome;
            try {
                // The impact sample that ends the insmod phase is taken after the first look, so
                // it never delays seeing a transition the kernel completed inside insmod.
                outcome = watch.await(name, watchStart, options.stallTimeout(), log::phaseDone);
                log.phaseDone();
            } catch (RuntimeException e) {
                // Whatever broke the watch, the host must not keep a patch nobody is watching.
                removeLeftover(name);
                throw e;
            }
            report.watched(watchStart, outcome, log);
            if (outcome instanceof TransitionOutcome.Stalled stalled) {
                report.blockers = stalled.blockers();
                if (options.onStall() == OnStall.WAIT) {
                    return report.done(Result.STALLED_WAITING, "transition of " + name + " stalled after "
                            + seconds(stalled.elapsed()) + "; still in progress as asked (" + who(stalled.blockers()) + ")", start);
                }
                return reverseLoad(report, name, stalled, start);
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
            return report.done(Result.APPLIED, "applied " + name + " in " + seconds(Duration.between(start, clock.instant()))
                    + (replaced.isEmpty() ? "" : "; replaced " + String.join(", ", replaced)), start);
        }
    }

    /**
     * Disables the patch {@code name}, waits for the unpatching transition and removes its module.
     * A patch already disabled and freed only has its module removed.
     */
    public LoadResult unload(String name, LoadOptions options) throws InterruptedException {
        Instant start = clock.instant();
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
                Instant watchStart = clock.instant();
                TransitionOutcome outcome = watch.await(name, watchStart, options.stallTimeout());
                report.watched(watchStart, outcome, log);
                if (outcome instanceof TransitionOutcome.Stalled stalled) {
                    report.blockers = stalled.blockers();
                    if (options.onStall() == OnStall.WAIT) {
                        return report.done(Result.STALLED_WAITING, "unpatching " + name + " stalled after "
                                + seconds(stalled.elapsed()) + "; still in progress as asked (" + who(stalled.blockers()) + ")", start);
                    }
                    return reverseUnload(report, name, stalled, start);
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

    private LoadResult reverseLoad(Report report, String name, TransitionOutcome.Stalled stalled, Instant start)
            throws InterruptedException {
        Instant revertStart = clock.instant();
        try {
            sysfs.setEnabled(name, false);
        } catch (IOException e) {
            return report.done(Result.DISABLE_FAILED, "transition stalled and writing 0 to enabled failed: " + e.getMessage(), start);
        }
        TransitionOutcome back = watch.await(name, revertStart, REVERSE_TIMEOUT);
        if (back instanceof TransitionOutcome.Stalled again) {
            report.blockers = again.blockers();
            report.revert = Duration.between(revertStart, clock.instant());
            return report.done(Result.REVERT_STALLED, "transition of " + name + " stalled, and so did its reversal ("
                    + who(again.blockers()) + "); the patch is still loaded: a human must look", start);
        }
        Optional<ToolRun> rmmod = rmmodSettled(name);
        report.revert = Duration.between(revertStart, clock.instant());
        if (rmmod.isPresent() && !rmmod.get().succeeded()) {
            return report.done(Result.RMMOD_FAILED, "transition reversed but rmmod " + name + " failed: "
                    + firstLine(rmmod.get().output()), start);
        }
        return report.done(Result.STALLED_REVERTED, "transition of " + name + " stalled for " + seconds(stalled.elapsed())
                + " (" + who(stalled.blockers()) + "); reversed and removed, the kernel is as before", start);
    }

    private LoadResult reverseUnload(Report report, String name, TransitionOutcome.Stalled stalled, Instant start)
            throws InterruptedException {
        Instant revertStart = clock.instant();
        try {
            sysfs.setEnabled(name, true);
        } catch (IOException e) {
            return report.done(Result.DISABLE_FAILED, "unpatching stalled and writing 1 to enabled failed: " + e.getMessage(), start);
        }
        TransitionOutcome back = watch.await(name, revertStart, REVERSE_TIMEOUT);
        report.revert = Duration.between(revertStart, clock.instant());
        if (back instanceof TransitionOutcome.Stalled again) {
            report.blockers = again.blockers();
            return report.done(Result.REVERT_STALLED, "unpatching " + name + " stalled, and so did re-enabling it ("
                    + who(again.blockers()) + "): a human must look", start);
        }
        return report.done(Result.STALLED_REVERTED, "unpatching " + name + " stalled for " + seconds(stalled.elapsed())
                + " (" + who(stalled.blockers()) + "); re-enabled, the patch stays applied", start);
    }

    /**
     * Removes a module whose patch is disabled or replaced, retrying with jittered backoff while the
     * kernel has not yet dropped its reference. Empty when the module is not loaded.
     */
    private Optional<ToolRun> rmmodSettled(String name) throws InterruptedException {
        Instant deadline = clock.instant().plus(RMMOD_SETTLE);
        Duration backoff = RMMOD_FIRST_BACKOFF;
        ToolRun last = null;
        while (root.exists("/sys/module/" + name)) {
            last = tool.rmmod(name);
            if (last.succeeded() || !clock.instant().isBefore(deadline)) {
                return Optional.of(last);
            }
            long jitter = ThreadLocalRandom.current().nextLong(backoff.toMillis() / 2 + 1);
            pause.sleep(backoff.plusMillis(jitter));
            backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(1)) > 0 ? Duration.ofSeconds(1) : backoff.multipliedBy(2);
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
                watch.await(name, clock.instant(), REVERSE_TIMEOUT);
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
        Long transitionMs;
        Long detectionLagMs;

        Report(String name, String file, String sha256, String release) {
            this.name = name;
            this.file = file;
            this.sha256 = sha256;
            this.release = release;
        }

        void watched(Instant watchStart, TransitionOutcome outcome, OperationLog log) {
            OperationLog.TransitionTimes t = log.transitionTimes(name, watchStart, outcome);
            transitionMs = t.transitionMs();
            detectionLagMs = t.detectionLagMs();
        }

        LoadResult done(Result result, String message, Instant start) {
            Timings timings = new Timings(
                    insmod == null ? null : insmod.wall().toMillis(),
                    insmod == null ? null : insmod.cpu().map(Duration::toMillis).orElse(null),
                    transitionMs, detectionLagMs,
                    revert == null ? null : revert.toMillis(),
                    Duration.between(start, clock.instant()).toMillis());
            List<String> kernelLog = log == null ? List.of() : log.lines();
            Impact impact = log == null ? null : log.impact();
            return new LoadResult(result, name, file, sha256, release, message,
                    preflight == null ? List.of() : preflight.checks(), timings, blockers, replaced, kernelLog, impact);
        }
    }
}
