package dev.klpfleet.testbench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A guest to boot with {@code testbench/vm-run}: a real Debian kernel under qemu (TCG) whose root
 * is the host's filesystem, read-only, with writable tmpfs {@code /tmp}, {@code /var}, {@code /run}.
 * Paths are the same as on the host, so the guest can run {@code bin/klpfleet} from the repository
 * and {@code insmod} the host's {@code /lib/modules}. Instances are immutable; each
 * {@link #run} boots a fresh guest (about 6-8 s to the command on an idle machine).
 *
 * <pre>{@code
 * VmRun run = Vm.boot(KernelLine.V6_12).share(dir).run("insmod /share/klpf_cmdline.ko && cat /proc/cmdline");
 * }</pre>
 */
public final class Vm {
    /** Guest directory {@link #share(Path)} mounts at. */
    public static final String SHARE = "/share";
    /** Default hard limit on one guest, from boot to power-off. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);
    /** Default bound on a boot reaching the command; vm-run boots a guest that misses it once more. */
    public static final Duration DEFAULT_BOOT_TIMEOUT = Duration.ofMinutes(2);
    /** Extra host-side wait beyond the guest's timeout: initramfs build and qemu's kill. */
    static final Duration VM_RUN_GRACE = Duration.ofSeconds(60);

    private final String release;
    private final int cpus;
    private final int memoryMb;
    private final List<VmShare> shares;
    private final Duration timeout;
    private final Duration bootTimeout;

    private Vm(String release, int cpus, int memoryMb, List<VmShare> shares, Duration timeout, Duration bootTimeout) {
        this.release = release;
        this.cpus = cpus;
        this.memoryMb = memoryMb;
        this.shares = List.copyOf(shares);
        this.timeout = timeout;
        this.bootTimeout = bootTimeout;
    }

    /** Returns a guest of {@code line}'s installed release with 2 CPUs, 1536 MB and {@link #DEFAULT_TIMEOUT}. */
    public static Vm boot(KernelLine line) {
        return boot(line.release());
    }

    /**
     * Returns a guest of {@code release} (a full release or a line such as {@code "6.1"}).
     *
     * @throws TestbenchException if that kernel is not installed
     */
    public static Vm boot(String release) {
        return new Vm(Kernels.release(release), 2, 1536, List.of(), DEFAULT_TIMEOUT, DEFAULT_BOOT_TIMEOUT);
    }

    /** Returns the kernel release the guest boots. */
    public String release() {
        return release;
    }

    /** Returns this guest with {@code cpus} virtual CPUs. */
    public Vm cpus(int cpus) {
        if (cpus < 1) {
            throw new IllegalArgumentException("cpus must be positive: " + cpus);
        }
        return new Vm(release, cpus, memoryMb, shares, timeout, bootTimeout);
    }

    /** Returns this guest with {@code memoryMb} MB of RAM (at least 256). */
    public Vm memoryMb(int memoryMb) {
        if (memoryMb < 256) {
            throw new IllegalArgumentException("memoryMb must be at least 256: " + memoryMb);
        }
        return new Vm(release, cpus, memoryMb, shares, timeout, bootTimeout);
    }

    /** Returns this guest with {@code hostDir} mounted read-write at {@link #SHARE}. */
    public Vm share(Path hostDir) {
        return share(hostDir, SHARE);
    }

    /** Returns this guest with {@code hostDir} mounted read-write at {@code guestDir}; see {@link VmShare}. */
    public Vm share(Path hostDir, String guestDir) {
        if (!Files.isDirectory(hostDir)) {
            throw new IllegalArgumentException("share: host directory does not exist: " + hostDir);
        }
        List<VmShare> more = new ArrayList<>(shares);
        more.add(new VmShare(hostDir, guestDir));
        return new Vm(release, cpus, memoryMb, more, timeout, bootTimeout);
    }

    /** Returns this guest with a hard limit of {@code timeout} (whole seconds, at least 1) from boot to power-off. */
    public Vm timeout(Duration timeout) {
        if (timeout.toSeconds() < 1) {
            throw new IllegalArgumentException("timeout must be at least one second: " + timeout);
        }
        return new Vm(release, cpus, memoryMb, shares, timeout, bootTimeout);
    }

    /**
     * Returns this guest with {@code bootTimeout} (whole seconds, at least 1) as the bound on a
     * boot reaching the command: a guest that misses it is killed and booted once more.
     */
    public Vm bootTimeout(Duration bootTimeout) {
        if (bootTimeout.toSeconds() < 1) {
            throw new IllegalArgumentException("boot timeout must be at least one second: " + bootTimeout);
        }
        return new Vm(release, cpus, memoryMb, shares, timeout, bootTimeout);
    }

    /**
     * Boots the guest, runs {@code shellScript} with {@code bash -c} as root (cwd: the host's
     * working directory; env {@code KLPFLEET_JAVA_OPTS} set for a fast JVM under TCG; stdin
     * empty), and returns after the guest powered off. A failing script is a normal result.
     *
     * @throws TestbenchException if {@code vm-run} cannot start or hangs beyond the timeout, one boot timeout (the one
     *         boot vm-run repeats) and {@link #VM_RUN_GRACE}
     */
    public VmRun run(String shellScript) {
        return run(List.of("bash", "-c", shellScript));
    }

    /** Like {@link #run(String)} but runs {@code argv} as given, without a shell. */
    public VmRun run(List<String> argv) {
        Path console;
        try {
            console = Files.createTempFile("klpfleet-vm-console", ".log");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> command = new ArrayList<>(List.of(
                    Testbench.script("vm-run").toString(),
                    "--kernel", release,
                    "--cpus", Integer.toString(cpus),
                    "--mem", Integer.toString(memoryMb),
                    "--timeout", Long.toString(timeout.toSeconds()),
                    "--boot-timeout", Long.toString(bootTimeout.toSeconds()),
                    "--console-log", console.toString()));
            for (VmShare share : shares) {
                command.add("--share");
                command.add(share.argument());
            }
            command.add("--");
            command.addAll(argv);
            HostCommand.Result result = new HostCommand(command, timeout.plus(bootTimeout).plus(VM_RUN_GRACE)).run();
            return new VmRun(result.exitCode(), result.stdout(), Files.readString(console), result.stderr());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(console);
            } catch (IOException ignored) {
                // A leftover temp file is harmless.
            }
        }
    }

    @Override
    public String toString() {
        return "Vm[" + release + ", cpus=" + cpus + ", mem=" + memoryMb + "MB, shares=" + shares + ", timeout=" + timeout + ", bootTimeout=" + bootTimeout + "]";
    }
}
