package dev.klpfleet.patchbuild.lint;

import static dev.klpfleet.patchbuild.lint.LintsTest.R61;
import static dev.klpfleet.patchbuild.lint.LintsTest.only;
import static dev.klpfleet.patchbuild.lint.LintsTest.vmlinux;
import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.patchbuild.symbols.SymbolCatalog;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lints fed by a release's own captured data, as testbench/capture-symbols writes it for
 * {@code klpfleet build --symbols DIR}: an excerpt of 6.1.0-56-amd64's {@code /proc/kallsyms}
 * (with the 9p module loaded), its {@code available_filter_functions} and modules index, kept in
 * src/test/resources/captured-6.1. The build host here is an empty tree: nothing in {@code /boot},
 * {@code /usr/lib/debug} or {@code /lib/modules}, as on a builder with only the headers installed.
 */
class CapturedSymbolsLintsTest {
    @TempDir Path emptyHost;

    static Path captured() throws Exception {
        return Path.of(CapturedSymbolsLintsTest.class.getResource("/captured-6.1").toURI());
    }

    List<LintVerdict> lint(Lint lint, SymbolSearch search, PatchedObject... objects) throws Exception {
        SymbolCatalog catalog = SymbolCatalog.of(new KernelRoot(emptyHost), R61, search);
        return lint.check(new LintContext(R61, List.of(objects), 0, catalog));
    }

    List<LintVerdict> lint(Lint lint, PatchedObject... objects) throws Exception {
        return lint(lint, SymbolSearch.dirsOnly(List.of(captured())), objects);
    }

    static PatchedObject module(String name, String func) {
        return new PatchedObject(name, List.of(new PatchedFunc(func, 0)));
    }

    @Test
    void ftrace_passes_for_a_function_in_available_filter_functions() throws Exception {
        List<LintVerdict> v = lint(new FtraceLint(), vmlinux("cmdline_proc_show", 0));
        assertThat(only(v)).isEqualTo(LintLevel.PASS);
        assertThat(v.get(0).reason()).contains("available_filter_functions-6.1.0-56-amd64");
    }

    @Test
    void ftrace_fails_for_a_notrace_function_outside_the_noinstr_ranges() throws Exception {
        // __schedule is declared notrace in kernel/sched/core.c; only ftrace's own list can tell.
        List<LintVerdict> v = lint(new FtraceLint(), vmlinux("__schedule", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("not in available_filter_functions: notrace, inlined, or in noinstr text");
    }

    @Test
    void ftrace_fails_for_a_noinstr_function_by_the_captured_section_markers() throws Exception {
        List<LintVerdict> v = lint(new FtraceLint(), vmlinux("xen_hypercall_hvm", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains(".noinstr.text");
    }

    @Test
    void symbol_and_sympos_lints_read_the_captured_kallsyms_past_its_header() throws Exception {
        assertThat(only(lint(new SymbolExistsLint(), vmlinux("cmdline_proc_show", 0)))).isEqualTo(LintLevel.PASS);
        List<LintVerdict> missing = lint(new SymbolExistsLint(), vmlinux("match_id", 0));
        assertThat(only(missing)).isEqualTo(LintLevel.FAIL);
        assertThat(missing.get(0).reason()).contains("match_id.isra.0");
        List<LintVerdict> ambiguous = lint(new SymposLint(), vmlinux("proc_single_open", 0));
        assertThat(only(ambiguous)).isEqualTo(LintLevel.FAIL);
        assertThat(ambiguous.get(0).reason()).contains("2 definitions", "t@ffffffff8b406950, t@ffffffff8b40c3d0");
    }

    @Test
    void a_module_loaded_at_capture_is_judged_by_its_kallsyms_and_ftrace_lines_without_its_file() throws Exception {
        // /lib/modules is empty on this host: the verdicts come from the [9p] lines of the capture.
        assertThat(only(lint(new SymbolExistsLint(), module("9p", "v9fs_mount")))).isEqualTo(LintLevel.PASS);
        assertThat(only(lint(new SymbolExistsLint(), module("9p", "v9fs_no_such_func")))).isEqualTo(LintLevel.FAIL);
        List<LintVerdict> ftrace = lint(new FtraceLint(), module("9p", "v9fs_kill_super"));
        assertThat(only(ftrace)).isEqualTo(LintLevel.PASS);
        assertThat(ftrace.get(0).reason()).contains("available_filter_functions");
    }

    @Test
    void a_module_neither_loaded_at_capture_nor_installed_is_unknown_and_says_how_to_capture_it() throws Exception {
        List<LintVerdict> v = lint(new SymbolExistsLint(), module("dm_mod", "dm_table_create"));
        assertThat(only(v)).isEqualTo(LintLevel.UNKNOWN);
        assertThat(v.get(0).reason()).contains("not installed", "capture-symbols --modules dm_mod");
    }

    @Test
    void object_exists_reads_the_captured_modules_index_when_the_host_has_none() throws Exception {
        assertThat(only(lint(new ObjectExistsLint(), module("dm_mod", "f")))).isEqualTo(LintLevel.PASS);
        assertThat(only(lint(new ObjectExistsLint(), module("no_such_module", "f")))).isEqualTo(LintLevel.FAIL);
        List<LintVerdict> builtin = lint(new ObjectExistsLint(), module("iosf_mbi", "f"));
        assertThat(only(builtin)).isEqualTo(LintLevel.FAIL);
        assertThat(builtin.get(0).reason()).contains("built into vmlinux");
    }

    @Test
    void symbols_only_ignores_the_hosts_own_system_map() throws Exception {
        Path boot = Files.createDirectories(emptyHost.resolve("boot"));
        Files.copy(LintsTest.fixture().path("/boot/System.map-6.1.0-56-amd64"), boot.resolve("System.map-6.1.0-56-amd64"));
        Path noCapture = Files.createDirectories(emptyHost.resolve("no-capture"));

        List<LintVerdict> only = lint(new SymbolExistsLint(), SymbolSearch.dirsOnly(List.of(noCapture)), vmlinux("cmdline_proc_show", 0));
        assertThat(only(only)).isEqualTo(LintLevel.UNKNOWN);
        assertThat(only.get(0).reason()).contains("--symbols-only", "capture-symbols --kernel 6.1.0-56-amd64");

        List<LintVerdict> withHost = lint(new SymbolExistsLint(), SymbolSearch.dirsThenHost(List.of(noCapture)), vmlinux("cmdline_proc_show", 0));
        assertThat(only(withHost)).isEqualTo(LintLevel.PASS);
    }

    @Test
    void a_capture_comes_before_the_hosts_files() throws Exception {
        Path boot = Files.createDirectories(emptyHost.resolve("boot"));
        Files.copy(LintsTest.fixture().path("/boot/System.map-6.1.0-56-amd64"), boot.resolve("System.map-6.1.0-56-amd64"));
        List<LintVerdict> v = lint(new SymposLint(), SymbolSearch.dirsThenHost(List.of(captured())), vmlinux("proc_single_open", 2));
        // The capture's (randomised) address, not the link-time one in the host's System.map.
        assertThat(only(v)).isEqualTo(LintLevel.PASS);
        assertThat(v.get(0).reason()).contains("ffffffff8b40c3d0");
    }
}
