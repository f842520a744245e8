package dev.klpfleet.kernel.modules;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.taint.TaintFlag;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModulesTest {

    @Test
    void a_livepatch_module_on_6_1_carries_its_taint_and_address() {
        Modules modules = Modules.read(fixture("6.1"));

        LoadedModule patch = modules.find("livepatch_cmdline").orElseThrow();
        assertThat(patch.size()).isEqualTo(16384);
        assertThat(patch.refCount()).isEqualTo(OptionalInt.of(1));
        assertThat(patch.state()).isEqualTo(ModuleState.LIVE);
        assertThat(patch.address()).contains("0xffffffffc0812000");
        assertThat(patch.taints()).containsExactlyInAnyOrder(
                TaintFlag.OOT_MODULE, TaintFlag.UNSIGNED_MODULE, TaintFlag.LIVEPATCH);
        assertThat(modules.livepatches()).containsExactly(patch);
        assertThat(modules.skipped()).isEmpty();
    }

    @Test
    void users_column_lists_dependents_without_the_trailing_comma() {
        LoadedModule p9net = Modules.read(fixture("6.1")).find("9pnet").orElseThrow();

        assertThat(p9net.usedBy()).containsExactly("9p", "9pnet_virtio");
    }

    @Test
    void dash_and_underscore_are_the_same_in_module_names() {
        Modules modules = Modules.read(fixture("6.12"));

        assertThat(modules.find("livepatch-cmdline-v2")).map(LoadedModule::name).contains("livepatch_cmdline_v2");
        assertThat(modules.find("no-such-module")).isEmpty();
    }

    @Test
    void a_replace_in_progress_on_6_12_shows_loading_and_unloading() {
        Modules modules = Modules.read(fixture("6.12"));

        assertThat(modules.find("livepatch_cmdline_v2").orElseThrow().state()).isEqualTo(ModuleState.LOADING);
        LoadedModule old = modules.find("livepatch_cmdline").orElseThrow();
        assertThat(old.state()).isEqualTo(ModuleState.UNLOADING);
        // The '-' (going) marker inside the parentheses is state, not a taint letter.
        assertThat(old.taints()).hasSize(3);
    }

    @Test
    void kpatch_modules_in_the_hand_made_4_x_tree_parse_the_same_way() {
        Modules modules = Modules.read(fixture("handmade-4.x"));

        assertThat(modules.loaded()).hasSize(4);
        assertThat(modules.livepatches()).extracting(LoadedModule::name).containsExactly("kpatch_cmdline_v2");
        assertThat(modules.find("libcrc32c").orElseThrow().usedBy()).containsExactly("xfs");
    }

    @Test
    void malformed_lines_are_skipped_with_a_reason_and_the_rest_still_parse() {
        Modules modules = Modules.parse("""
                good 16384 0 - Live 0x0000000000000000
                short 16384
                badsize big 0 - Live 0xffffffffc0000000
                weird 16384 0 - Sleeping 0xffffffffc0000000
                tainted 16384 0 - Live 0xffffffffc0000000 (Q)
                norefs 16384 - - Live 0xffffffffc0000000
                """);

        assertThat(modules.loaded()).extracting(LoadedModule::name).containsExactly("good", "norefs");
        assertThat(modules.find("norefs").orElseThrow().refCount()).isEmpty();
        assertThat(modules.skipped()).extracting(s -> s.lineNumber()).containsExactly(2, 3, 4, 5);
        assertThat(modules.skipped()).extracting(s -> s.reason()).containsExactly(
                "expected at least 5 fields, found 2",
                "size is not a number: 'big'",
                "unknown module state 'Sleeping'",
                "unknown taint letter 'Q'");
    }

    @Test
    void a_kernel_without_modules_has_none(@TempDir Path dir) {
        assertThat(Modules.read(new KernelRoot(dir)).loaded()).isEmpty();
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
