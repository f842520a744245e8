package dev.klpfleet.kernel.pin;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Pause;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing insmod's CPU from two readings of /proc/softirqs, in the file's real layout (6.12, 4 CPUs). */
class InsmodPinningTest {
    /** The layout of /proc/softirqs as 6.12 prints it (kernel/softirq.c show_softirqs): %-10s header, %10u columns. */
    static String softirqs(long[] netRx, long[] netTx, long[] block) {
        StringBuilder s = new StringBuilder("                    CPU0       CPU1       CPU2       CPU3\n");
        s.append(row("HI", new long[] {1, 0, 0, 2})).append(row("TIMER", new long[] {9000, 8000, 7000, 6000}));
        s.append(row("NET_TX", netTx)).append(row("NET_RX", netRx)).append(row("BLOCK", block));
        s.append(row("IRQ_POLL", new long[4])).append(row("TASKLET", new long[] {5, 5, 5, 5}));
        s.append(row("SCHED", new long[] {100, 100, 100, 100})).append(row("HRTIMER", new long[4])).append(row("RCU", new long[] {50, 60, 70, 80}));
        return s.toString();
    }

    private static String row(String name, long[] v) {
        StringBuilder s = new StringBuilder(String.format("%12s:", name));
        for (long x : v) {
            s.append(String.format(" %10d", x));
        }
        return s.append('\n').toString();
    }

    @Test
    void theCpuWithTheLeastNetworkAndBlockSoftirqsInTheWindowIsChosenNotTheLeastSinceBoot(@TempDir Path dir) throws Exception {
        KernelRoot root = new KernelRoot(dir);
        Files.createDirectories(root.path("/proc"));
        // CPU 2 has the fewest since boot, but in the window it is the busiest; CPU 1 is the quietest now.
        Files.writeString(root.path("/proc/softirqs"), softirqs(new long[] {5000, 9000, 10, 7000}, new long[] {10, 10, 10, 10}, new long[] {100, 100, 0, 100}));
        List<Duration> slept = new ArrayList<>();
        Pause pause = d -> {
            slept.add(d);
            try {
                Files.writeString(root.path("/proc/softirqs"), softirqs(new long[] {5400, 9003, 900, 7300}, new long[] {20, 11, 50, 10},
                        new long[] {130, 101, 40, 100}));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        InsmodPinning pinning = new InsmodPinning(root, pause);

        InsmodPinning.Choice c = pinning.choose();

        assertThat(slept).containsExactly(InsmodPinning.WINDOW);
        assertThat(c.pinning().cpu()).isEqualTo(1);
        assertThat(c.pinning().cpus()).containsExactly(0, 1, 2, 3);
        assertThat(c.pinning().before()).containsExactly(440L, 5L, 970L, 300L);
        assertThat(c.pinning().windowMillis()).isEqualTo(200L);
        assertThat(c.pinning().why()).contains("CPU 1", "(5)", "200 ms");

        Files.writeString(root.path("/proc/softirqs"), softirqs(new long[] {5500, 9004, 1000, 7400}, new long[] {20, 11, 50, 10},
                new long[] {130, 101, 40, 100}));
        Pinning done = pinning.after(c, "1");
        assertThat(done.during()).containsExactly(100L, 1L, 100L, 100L);
        assertThat(done.cpusAllowed()).isEqualTo("1");
    }

    @Test
    void oneCpuOrNoFileIsNotPinnedAndSaysWhy(@TempDir Path dir) throws Exception {
        KernelRoot root = new KernelRoot(dir);
        assertThat(new InsmodPinning(root, d -> {}).choose().pinning().why()).isEqualTo("not pinned: /proc/softirqs unreadable");
        Files.createDirectories(root.path("/proc"));
        Files.writeString(root.path("/proc/softirqs"), "                    CPU0\n      NET_RX:         12\n      BLOCK:          3\n");
        InsmodPinning.Choice c = new InsmodPinning(root, d -> {
            throw new AssertionError("no window is needed to choose among one CPU");
        }).choose();
        assertThat(c.pinning().cpu()).isNull();
        assertThat(c.pinning().why()).isEqualTo("not pinned: one CPU online");
    }

    @Test
    void aGarbledFileIsNotReadAsZeros() {
        assertThat(Softirqs.parse("")).isEmpty();
        assertThat(Softirqs.parse("CPU0 CPU1\nNET_RX: 1 x\n")).isEmpty();
        assertThat(Softirqs.parse("CPU0 CPU1\nTIMER: 1 2\n")).as("none of the counted kinds").isEmpty();
        assertThat(Softirqs.parse("CPU0 CPU2\nNET_RX: 1 2\nBLOCK: 3 4\n").orElseThrow().cpus()).containsExactly(0, 2);
    }
}
