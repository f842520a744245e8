package dev.klpfleet.testbench.build;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import dev.klpfleet.testbench.CapturedSymbols;
import dev.klpfleet.testbench.KernelLine;
import dev.klpfleet.testbench.Vm;
import dev.klpfleet.testbench.VmRun;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The build pipeline end to end on the real Debian kernels: symbols captured from each kernel
 * (testbench/capture-symbols, cached per release), {@code klpfleet build} of the fix_cmdline
 * test patch for both lines linted on that data alone ({@code --symbols-only}), {@code klpfleet
 * verify}, then one guest per line that verifies the artifact again, loads it with
 * {@code klpfleet kernel load}, reads {@code /proc/cmdline} and unloads it.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BuildOnRealKernelsVmTest {
    static final String PATCHED = "klpfleet fix_cmdline: this has been live patched";
    static final ObjectMapper JSON = new ObjectMapper();

    private Path repo;
    private Path out;
    private Path publicKey;
    private Path symbols;
    private String r61;
    private String r612;
    private Cli build;

    /** What one in-process {@code klpfleet} command printed and returned. */
    record Cli(int exitCode, String stdout) {}

    static synchronized Cli klpfleet(String... args) {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            return new Cli(Main.run(args), buf.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(old);
        }
    }

    @BeforeAll
    void captureSymbolsAndBuildForBothLines() throws IOException {
        repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        r61 = KernelLine.V6_1.release();
        r612 = KernelLine.V6_12.release();
        symbols = Files.createTempDirectory("klpfleet-symbols");
        CapturedSymbols.into(symbols, KernelLine.V6_1);
        CapturedSymbols.into(symbols, KernelLine.V6_12);

        out = Files.createTempDirectory("klpfleet-build-vmtest");
        assertThat(klpfleet("keys", "generate", "--out", out.resolve("key").toString()).exitCode()).isZero();
        publicKey = out.resolve("key.pub");
        build = klpfleet("build", "--source", repo.resolve("patchbuild/src/test/resources/patches/fix_cmdline").toString(),
                "--kernel", r61 + "," + r612, "--out", out.resolve("artifacts").toString(), "--jobs", "2",
                "--key", out.resolve("key.key").toString(), "--symbols", symbols.toString(), "--symbols-only", "--json");
    }

    @Test
    void both_lines_build_signed_with_every_lint_decided_by_the_captured_symbols() throws IOException {
        assertThat(build.exitCode()).as(build.stdout()).isEqualTo(ExitCodes.OK);
        for (String release : List.of(r61, r612)) {
            JsonNode m = JSON.readTree(out.resolve("artifacts").resolve(release).resolve("manifest.json").toFile());
            assertThat(m.get("kernelRelease").asText()).isEqualTo(release);
            assertThat(m.get("objects").get(0).get("funcs").get(0).get("name").asText()).isEqualTo("cmdline_proc_show");
            // Nothing is left unknown: the capture answers every lint, ftrace included.
            for (JsonNode lint : m.get("lints")) {
                assertThat(lint.get("level").asText()).as(release + " " + lint).isEqualTo("pass");
            }
            assertThat(lintReason(m, "ftrace")).contains("has an ftrace call site", "available_filter_functions-" + release);
            assertThat(lintReason(m, "symbol-exists")).contains("function present in " + release);
        }
    }

    @Test
    void a_patch_naming_a_notrace_function_fails_the_ftrace_lint_on_both_lines_and_is_not_signed() throws IOException {
        Path notrace = out.resolve("notrace");
        Cli r = klpfleet("build", "--source", repo.resolve("patchbuild/src/test/resources/patches/hook_notrace").toString(),
                "--kernel", r61 + "," + r612, "--out", notrace.toString(), "--jobs", "2", "--key", out.resolve("key.key").toString(),
                "--symbols", symbols.toString(), "--symbols-only", "--json");
        assertThat(r.exitCode()).as(r.stdout()).isEqualTo(ExitCodes.LINT_FAILED);
        for (String release : List.of(r61, r612)) {
            JsonNode m = JSON.readTree(notrace.resolve(release).resolve("manifest.json").toFile());
            // __schedule exists in both releases (kernel/sched/core.c) but is notrace: only ftrace's own list says so.
            assertThat(lintReason(m, "symbol-exists")).contains("function present");
            assertThat(lintLevel(m, "ftrace")).isEqualTo("fail");
            assertThat(lintReason(m, "ftrace")).startsWith("vmlinux:__schedule: not in available_filter_functions: notrace, inlined, or in noinstr text");
            assertThat(notrace.resolve(release).resolve("manifest.sig")).doesNotExist();
        }
    }

    @Test
    void verify_accepts_the_build_and_refuses_a_tampered_module() throws IOException {
        Cli ok = klpfleet("verify", out.resolve("artifacts").toString(), "--public-key", publicKey.toString(), "--json");
        assertThat(ok.exitCode()).as(ok.stdout()).isEqualTo(ExitCodes.OK);
        assertThat(JSON.readTree(ok.stdout()).get("releases")).hasSize(2);

        Path tampered = Files.createDirectories(out.resolve("tampered").resolve(r612));
        try (Stream<Path> files = Files.list(out.resolve("artifacts").resolve(r612))) {
            for (Path f : files.toList()) {
                Files.copy(f, tampered.resolve(f.getFileName()));
            }
        }
        Files.write(tampered.resolve("fix_cmdline.ko"), new byte[] {0}, StandardOpenOption.APPEND);
        Cli refused = klpfleet("verify", tampered.toString(), "--public-key", publicKey.toString(), "--json");
        assertThat(refused.exitCode()).as(refused.stdout()).isEqualTo(ExitCodes.VERIFY_REFUSED);
        JsonNode checked = JSON.readTree(refused.stdout()).get("releases").get(0);
        assertThat(checked.get("verdict").asText()).isEqualTo("module_tampered");
    }

    @Test
    void the_built_patch_loads_and_unloads_on_6_1() throws IOException {
        loadsAndUnloads(KernelLine.V6_1, r61);
    }

    @Test
    void the_built_patch_loads_and_unloads_on_6_12() throws IOException {
        loadsAndUnloads(KernelLine.V6_12, r612);
    }

    /** One boot: verify in the guest as a fleet host would, load, read /proc/cmdline, unload. */
    private void loadsAndUnloads(KernelLine line, String release) throws IOException {
        assertThat(build.exitCode()).as("the build must succeed first: " + build.stdout()).isEqualTo(ExitCodes.OK);
        Files.copy(publicKey, out.resolve("artifacts").resolve("key.pub"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        String script = """
                set -u
                repo=$1 S=$2 R=$3 G=$2/guest-$3
                mkdir -p "$G"
                k=$repo/bin/klpfleet
                # A step that hangs ends with 124 in its .rc file, so a failure names the step.
                step() { local n=$1; shift; timeout 180 "$@" >"$G/$n.out" 2>"$G/$n.err"; echo $? >"$G/$n.rc"; }
                cat /proc/cmdline >"$G/cmdline-before"
                step verify "$k" verify "$S/$R" --public-key "$S/key.pub" --json
                [ "$(cat "$G/verify.rc")" = 0 ] || exit 0
                step load "$k" kernel load "$S/$R/fix_cmdline.ko" --json
                cat /proc/cmdline >"$G/cmdline-patched"
                step unload "$k" kernel unload fix_cmdline --json
                cat /proc/cmdline >"$G/cmdline-after"
                """;
        VmRun run = Vm.boot(line).share(out.resolve("artifacts"), "/share").timeout(Duration.ofMinutes(10))
                .run(List.of("bash", "-c", script, "guest", repo.toString(), "/share", release));
        assertThat(run.exitCode()).as(run.describe()).isZero();
        Path g = out.resolve("artifacts").resolve("guest-" + release);

        assertThat(read(g, "verify.rc")).as(read(g, "verify.out") + read(g, "verify.err")).isEqualTo("0");
        assertThat(read(g, "load.rc")).as(read(g, "load.out") + read(g, "load.err")).isEqualTo("0");
        JsonNode load = JSON.readTree(read(g, "load.out"));
        assertThat(load.get("result").asText()).isEqualTo("applied");
        assertThat(load.get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(read(g, "cmdline-before")).doesNotContain(PATCHED);
        assertThat(read(g, "cmdline-patched")).isEqualTo(PATCHED);

        assertThat(read(g, "unload.rc")).as(read(g, "unload.err")).isEqualTo("0");
        assertThat(JSON.readTree(read(g, "unload.out")).get("result").asText()).isEqualTo("unloaded");
        assertThat(read(g, "cmdline-after")).isEqualTo(read(g, "cmdline-before"));
    }

    private static String lintReason(JsonNode manifest, String lint) {
        return verdict(manifest, lint).get("reason").asText();
    }

    private static String lintLevel(JsonNode manifest, String lint) {
        return verdict(manifest, lint).get("level").asText();
    }

    private static JsonNode verdict(JsonNode manifest, String lint) {
        for (JsonNode l : manifest.get("lints")) {
            if (l.get("lint").asText().equals(lint)) {
                return l;
            }
        }
        throw new AssertionError("no " + lint + " verdict in " + manifest);
    }

    private static String read(Path dir, String name) throws IOException {
        Path f = dir.resolve(name);
        return Files.exists(f) ? Files.readString(f).strip() : "<no " + name + ">";
    }
}
