package dev.klpfleet.patchbuild.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.patchbuild.release.KernelRelease;
import dev.klpfleet.patchbuild.symbols.SymbolCatalog;
import dev.klpfleet.patchbuild.symbols.SymbolSearch;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.protocol.artifact.LintLevel;
import dev.klpfleet.protocol.artifact.LintVerdict;
import dev.klpfleet.protocol.artifact.PatchedFunc;
import dev.klpfleet.protocol.artifact.PatchedObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each lint against an excerpt of Debian's real 6.1.0-56-amd64 System.map (from the -dbg
 * package) and modules index, kept in src/test/resources/release-6.1.
 */
class LintsTest {
    static final KernelRelease R61 = KernelRelease.parse("6.1.0-56-amd64");
    @TempDir Path tmp;

    static KernelRoot fixture() throws URISyntaxException {
        return new KernelRoot(Path.of(LintsTest.class.getResource("/release-6.1").toURI()));
    }

    static List<LintVerdict> lint(Lint lint, KernelRoot root, KernelRelease release, int klpRelocations, PatchedObject... objects)
            throws IOException {
        SymbolCatalog catalog = SymbolCatalog.of(root, release, SymbolSearch.hostOnly());
        return lint.check(new LintContext(release, List.of(objects), klpRelocations, catalog));
    }

    static List<LintVerdict> lint(Lint lint, PatchedObject... objects) throws Exception {
        return lint(lint, fixture(), R61, 0, objects);
    }

    static PatchedObject vmlinux(String func, int sympos) {
        return new PatchedObject("vmlinux", List.of(new PatchedFunc(func, sympos)));
    }

    static PatchedObject module(String name, String func) {
        return new PatchedObject(name, List.of(new PatchedFunc(func, 0)));
    }

    static LintLevel only(List<LintVerdict> verdicts) {
        assertThat(verdicts).hasSize(1);
        return verdicts.get(0).level();
    }

    @Test
    void symbol_exists_passes_for_a_function_in_the_release() throws Exception {
        assertThat(only(lint(new SymbolExistsLint(), vmlinux("cmdline_proc_show", 0)))).isEqualTo(LintLevel.PASS);
    }

    @Test
    void symbol_exists_fails_for_a_missing_function_and_names_its_compiler_clones() throws Exception {
        List<LintVerdict> v = lint(new SymbolExistsLint(), vmlinux("match_id", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("match_id.isra.0");
    }

    @Test
    void symbol_exists_fails_for_a_data_symbol() throws Exception {
        List<LintVerdict> v = lint(new SymbolExistsLint(), vmlinux("init_uts_ns", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("is data");
    }

    @Test
    void symbol_exists_is_unknown_without_a_symbol_list_and_says_why() throws Exception {
        // Debian ships only a placeholder in /boot; a release with no other list cannot be judged.
        Path boot = Files.createDirectories(tmp.resolve("boot"));
        Files.writeString(boot.resolve("System.map-6.12.117+deb12-amd64"),
                "ffffffffffffffff B The real System.map is in the linux-image-<version>-dbg package\n");
        List<LintVerdict> v = lint(new SymbolExistsLint(), new KernelRoot(tmp), KernelRelease.parse("6.12.117+deb12-amd64"), 0,
                vmlinux("cmdline_proc_show", 0));
        assertThat(only(v)).isEqualTo(LintLevel.UNKNOWN);
        assertThat(v.get(0).reason()).contains("Debian placeholder", "linux-image-6.12.117+deb12-amd64-dbg");
    }

    @Test
    void sympos_fails_for_an_ambiguous_local_symbol_without_sympos() throws Exception {
        List<LintVerdict> v = lint(new SymposLint(), vmlinux("proc_single_open", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("2 definitions", "t@ffffffff81406950, t@ffffffff8140c3d0");
    }

    @Test
    void sympos_passes_when_it_picks_one_of_the_definitions_in_kallsyms_order() throws Exception {
        List<LintVerdict> v = lint(new SymposLint(), vmlinux("proc_single_open", 2));
        assertThat(only(v)).isEqualTo(LintLevel.PASS);
        assertThat(v.get(0).reason()).contains("ffffffff8140c3d0");
    }

    @Test
    void sympos_fails_past_the_last_definition_and_passes_for_a_unique_name() throws Exception {
        assertThat(only(lint(new SymposLint(), vmlinux("proc_single_open", 3)))).isEqualTo(LintLevel.FAIL);
        assertThat(only(lint(new SymposLint(), vmlinux("cmdline_proc_show", 0)))).isEqualTo(LintLevel.PASS);
    }

    @Test
    void object_name_fails_when_it_differs_from_the_kernels_module_name_by_a_dash() throws Exception {
        List<LintVerdict> v = lint(new ObjectNameLint(), module("dm-mod", "dm_table_create"));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("'dm_mod'");
        assertThat(only(lint(new ObjectNameLint(), module("dm_mod", "dm_table_create")))).isEqualTo(LintLevel.PASS);
    }

    @Test
    void object_exists_passes_for_a_shipped_module_and_fails_for_an_absent_or_builtin_one() throws Exception {
        assertThat(only(lint(new ObjectExistsLint(), module("dm_mod", "f")))).isEqualTo(LintLevel.PASS);
        assertThat(only(lint(new ObjectExistsLint(), module("no_such_module", "f")))).isEqualTo(LintLevel.FAIL);
        List<LintVerdict> builtin = lint(new ObjectExistsLint(), module("iosf_mbi", "f"));
        assertThat(only(builtin)).isEqualTo(LintLevel.FAIL);
        assertThat(builtin.get(0).reason()).contains("built into vmlinux");
    }

    @Test
    void ftrace_fails_for_a_noinstr_function_and_is_unknown_elsewhere_offline() throws Exception {
        List<LintVerdict> noinstr = lint(new FtraceLint(), vmlinux("xen_hypercall_hvm", 0));
        assertThat(only(noinstr)).isEqualTo(LintLevel.FAIL);
        assertThat(noinstr.get(0).reason()).contains(".noinstr.text");
        List<LintVerdict> other = lint(new FtraceLint(), vmlinux("cmdline_proc_show", 0));
        assertThat(only(other)).isEqualTo(LintLevel.UNKNOWN);
        assertThat(other.get(0).reason()).contains("__mcount_loc");
    }

    @Test
    void ftrace_uses_available_filter_functions_when_the_release_is_the_running_kernel() throws Exception {
        Path root = copyFixture();
        Files.createDirectories(root.resolve("proc/sys/kernel"));
        Files.writeString(root.resolve("proc/sys/kernel/osrelease"), "6.1.0-56-amd64\n");
        Files.createDirectories(root.resolve("sys/kernel/tracing"));
        Files.writeString(root.resolve("sys/kernel/tracing/available_filter_functions"),
                "cmdline_proc_show\nmeminfo_proc_show\ndm_table_create [dm_mod]\n");
        KernelRoot running = new KernelRoot(root);
        assertThat(only(lint(new FtraceLint(), running, R61, 0, vmlinux("cmdline_proc_show", 0)))).isEqualTo(LintLevel.PASS);
        List<LintVerdict> v = lint(new FtraceLint(), running, R61, 0, vmlinux("do_idle", 0));
        assertThat(only(v)).isEqualTo(LintLevel.FAIL);
        assertThat(v.get(0).reason()).contains("available_filter_functions");
    }

    @Test
    void symbol_lookups_warn_before_5_17_and_pass_after() throws Exception {
        Path root = copyFixture();
        Files.copy(root.resolve("boot/System.map-6.1.0-56-amd64"), root.resolve("boot/System.map-5.10.0-30-amd64"));
        PatchedObject o = vmlinux("cmdline_proc_show", 0);
        List<LintVerdict> old = lint(new SymbolLookupLint(), new KernelRoot(root), KernelRelease.parse("5.10.0-30-amd64"), 120, o);
        assertThat(only(old)).isEqualTo(LintLevel.WARN);
        assertThat(old.get(0).reason()).contains("121 kallsyms lookups", "older than 5.17");
        assertThat(only(lint(new SymbolLookupLint(), fixture(), R61, 120, o))).isEqualTo(LintLevel.PASS);
    }

    private Path copyFixture() throws Exception {
        Path src = fixture().root();
        Path dst = tmp.resolve("root");
        try (var walk = Files.walk(src)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path to = dst.resolve(src.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(to);
                } else {
                    Files.copy(p, to);
                }
            }
        }
        return dst;
    }
}
