package dev.klpfleet.kernel.task;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads every thread's livepatch state from {@code /proc}. Threads come and go while we read;
 * one that exits mid-read is skipped, never an error.
 */
public final class Tasks {
    /** PF_KTHREAD from include/linux/sched.h, unchanged since 2.6. */
    private static final long PF_KTHREAD = 0x00200000L;

    private final KernelRoot root;

    public Tasks(KernelRoot root) {
        this.root = root;
    }

    /** Every thread of every process, with stacks only where {@code withStacks} (stacks cost a kernel unwind each). */
    public List<TaskSnapshot> all(boolean withStacks) {
        List<TaskSnapshot> out = new ArrayList<>();
        for (int pid : numericChildren(root.path("/proc"))) {
            for (int tid : numericChildren(root.path("/proc/" + pid + "/task"))) {
                thread(pid, tid, withStacks).ifPresent(out::add);
            }
        }
        return out;
    }

    /**
     * The threads whose {@code patch_state} is neither "no transition" nor {@code target}: the ones
     * the kernel has not yet switched (kernel/livepatch/transition.c klp_try_complete_transition).
     * Each comes with its stack, which says where it sleeps.
     */
    public List<TaskSnapshot> notYetIn(PatchState target) {
        List<TaskSnapshot> out = new ArrayList<>();
        for (int pid : numericChildren(root.path("/proc"))) {
            for (int tid : numericChildren(root.path("/proc/" + pid + "/task"))) {
                String dir = "/proc/" + pid + "/task/" + tid;
                Optional<PatchState> state = patchState(dir);
                if (state.isPresent() && state.get() != PatchState.NONE && state.get() != target) {
                    thread(pid, tid, true).ifPresent(out::add);
                }
            }
        }
        return out;
    }

    /** One thread, or empty if it has exited. */
    public Optional<TaskSnapshot> thread(int pid, int tid, boolean withStack) {
        String dir = "/proc/" + pid + "/task/" + tid;
        Optional<String> comm = root.read(dir + "/comm");
        Optional<String> stat = root.read(dir + "/stat");
        if (comm.isEmpty() || stat.isEmpty()) {
            return Optional.empty();
        }
        List<StackFrame> stack = withStack
                ? root.read(dir + "/stack").map(Tasks::frames).orElse(List.of())
                : List.of();
        return Optional.of(new TaskSnapshot(pid, tid, comm.get().strip(), isKthread(stat.get()),
                patchState(dir).orElse(PatchState.NONE), stack, state(stat.get())));
    }

    private Optional<PatchState> patchState(String threadDir) {
        return root.read(threadDir + "/patch_state").map(String::trim)
                .filter(s -> s.matches("-?\\d+")).map(s -> PatchState.of(Integer.parseInt(s)));
    }

    static List<StackFrame> frames(String stack) {
        return stack.lines().map(StackFrame::parse).flatMap(Optional::stream).toList();
    }

    /** Field 3 of {@code stat}, the state letter right after the ")" that closes comm; null if malformed. */
    static String state(String stat) {
        int close = stat.lastIndexOf(')');
        String rest = close < 0 ? "" : stat.substring(close + 1).trim();
        return rest.isEmpty() ? null : rest.substring(0, 1);
    }

    /** Field 9 of {@code stat} is the task's flags; fields are counted after the ")" that closes comm. */
    static boolean isKthread(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0) {
            return false;
        }
        String[] f = stat.substring(close + 1).trim().split("\\s+");
        // f[0] is field 3 (state), so field 9 (flags) is f[6].
        if (f.length < 7) {
            return false;
        }
        try {
            return (Long.parseUnsignedLong(f[6]) & PF_KTHREAD) != 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static List<Integer> numericChildren(Path dir) {
        List<Integer> ids = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                String n = p.getFileName().toString();
                if (!n.isEmpty() && n.chars().allMatch(Character::isDigit)) {
                    ids.add(Integer.parseInt(n));
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            if (dir.toString().contains("/proc/")) {
                return List.of();
            }
            throw new UncheckedIOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        ids.sort(Integer::compare);
        return ids;
    }
}
