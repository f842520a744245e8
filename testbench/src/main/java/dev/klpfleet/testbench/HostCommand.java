package dev.klpfleet.testbench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Runs one host command to completion within a bound, capturing stdout and stderr apart. */
record HostCommand(List<String> argv, Duration limit) {

    /** What a finished host command left behind. */
    record Result(int exitCode, String stdout, String stderr) {
        boolean succeeded() {
            return exitCode == 0;
        }
    }

    HostCommand {
        argv = List.copyOf(argv);
    }

    /**
     * Starts the command with stdin from /dev/null, waits at most {@link #limit}, and returns its
     * exit code and output.
     *
     * @throws TestbenchException if it cannot start or outlives the limit (it is then killed)
     */
    Result run() {
        Process process;
        try {
            process = new ProcessBuilder(argv).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new TestbenchException("cannot start " + argv.get(0) + ": " + e.getMessage(), e);
        }
        CompletableFuture<String> stdout = drain(process.getInputStream());
        CompletableFuture<String> stderr = drain(process.getErrorStream());
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                throw new TestbenchException(argv.get(0) + " did not finish within " + limit + "; killed it");
            }
            return new Result(process.exitValue(), stdout.get(), stderr.get());
        } catch (InterruptedException e) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TestbenchException("interrupted while waiting for " + argv.get(0), e);
        } catch (ExecutionException e) {
            throw new TestbenchException("cannot read the output of " + argv.get(0), e.getCause());
        }
    }

    private static CompletableFuture<String> drain(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
