package dev.klpfleet.kernel.module;

import static dev.klpfleet.kernel.module.Fixtures.K61;
import static dev.klpfleet.kernel.module.Fixtures.K612;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Each fixture livepatch, built for both kernels, reads back as its source declares it. */
class ModuleInspectorTest {

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void singleObjectPatchOfVmlinuxWithoutReplace(String release) throws Exception {
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "klp_single"));

        assertThat(m.name()).isEqualTo("klp_single");
        assertThat(m.vermagic()).hasValue(release + " SMP preempt mod_unload modversions ");
        assertThat(m.kernelRelease()).hasValue(release);
        assertThat(m.livepatch()).isTrue();
        assertThat(m.license()).hasValue("GPL");
        assertThat(m.depends()).isEmpty();
        assertThat(m.srcversion()).isEmpty();
        assertThat(m.replace().value()).isEqualTo(Replace.Value.FALSE);
        assertThat(m.replace().reason()).contains("+24", "5.5+");
        assertThat(m.objects()).containsExactly(new KlpObjectInfo("vmlinux", List.of(
                new FuncInfo("cmdline_proc_show", 0, "fixture_cmdline_proc_show"),
                new FuncInfo("version_proc_show", 0, "fixture_version_proc_show")), List.of()));
        // klp_enable_patch, __fentry__, __x86_return_thunk, seq_printf (readelf -s: 4 UND besides entry 0)
        assertThat(m.symbolLookup()).isEqualTo(new SymbolLookupCost(0, 0, 0, 4));
        assertThat(m.unknowns()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void multiObjectPatchKeepsExplicitSymposAndReplace(String release) throws Exception {
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "klp_multi"));

        assertThat(m.name()).isEqualTo("klp_multi");
        assertThat(m.replace().value()).isEqualTo(Replace.Value.TRUE);
        assertThat(m.objects()).containsExactly(
                new KlpObjectInfo("vmlinux", List.of(
                        new FuncInfo("cmdline_proc_show", 2, "fixture_cmdline_proc_show"),
                        new FuncInfo("meminfo_proc_show", 0, "fixture_meminfo_proc_show")), List.of()),
                new KlpObjectInfo("ext4", List.of(
                        new FuncInfo("ext4_statfs", 1, "fixture_ext4_statfs"),
                        new FuncInfo("ext4_sync_fs", 0, "fixture_ext4_sync_fs")), List.of()));
        assertThat(m.funcs()).extracting(FuncInfo::sysfsName)
                .containsExactly("cmdline_proc_show,2", "meminfo_proc_show,1", "ext4_statfs,1", "ext4_sync_fs,1");
        assertThat(m.symbolLookup()).isEqualTo(new SymbolLookupCost(0, 0, 0, 4));
        assertThat(m.unknowns()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void callbacksAreReportedPerObject(String release) throws Exception {
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "klp_callbacks"));

        assertThat(m.replace().value()).isEqualTo(Replace.Value.TRUE);
        assertThat(m.objects()).containsExactly(
                new KlpObjectInfo("vmlinux",
                        List.of(new FuncInfo("cmdline_proc_show", 0, "fixture_cmdline_proc_show")),
                        List.of(new Callback("pre_patch", "pre_patch_vmlinux"), new Callback("post_unpatch", "post_unpatch_vmlinux"))),
                new KlpObjectInfo("xfs",
                        List.of(new FuncInfo("xfs_fs_statfs", 0, "fixture_xfs_fs_statfs")),
                        List.of(new Callback("post_patch", "post_patch_xfs"), new Callback("pre_unpatch", "pre_unpatch_xfs"))));
        // _printk in addition to the four of klp_single
        assertThat(m.symbolLookup().undefinedSymbols()).isEqualTo(5);
        assertThat(m.unknowns()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void ordinaryModuleHasModinfoButNoPatch(String release) throws Exception {
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "plain_mod"));

        assertThat(m.name()).isEqualTo("plain_mod");
        assertThat(m.livepatch()).isFalse();
        assertThat(m.depends()).containsExactly("libcrc32c");
        assertThat(m.license()).hasValue("Dual MIT/GPL");
        assertThat(m.srcversion()).hasValue("327A1497F0158F9B171B8B2");
        assertThat(m.objects()).isEmpty();
        assertThat(m.replace()).isEqualTo(Replace.unknown("not a livepatch module"));
        assertThat(m.unknowns()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void strippedLocalSymbolsMakeObjectsUnknownButReplaceStaysReadable(String release) throws Exception {
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "klp_single_stripped"));

        assertThat(m.name()).isEqualTo("klp_single");
        assertThat(m.objects()).isEmpty();
        assertThat(m.unknowns()).singleElement().satisfies(u -> {
            assertThat(u.field()).isEqualTo("objects");
            assertThat(u.reason()).contains("no symbol covers the klp_object array", "stride cannot be inferred");
        });
        assertThat(m.replace().value()).isEqualTo(Replace.Value.FALSE);
    }

    @ParameterizedTest
    @ValueSource(strings = {K61, K612})
    void sizeAndSha256AreOfTheWholeFile(String release) throws Exception {
        byte[] raw = Fixtures.bytes(release, "klp_multi");
        ModuleInspection m = ModuleInspector.inspect(Fixtures.path(release, "klp_multi"));

        assertThat(m.sizeBytes()).isEqualTo(Files.size(Fixtures.path(release, "klp_multi")));
        assertThat(m.sha256()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)));
    }
}
