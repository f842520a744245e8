package dev.klpfleet.kernel.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EnabledFunctionsTest {

    @Test
    void a_livepatched_function_on_6_12_shows_ipmodify_modified_and_the_klp_trampoline() {
        Parsed<FtraceRecord> parsed = EnabledFunctions.read(fixture("6.12")).orElseThrow();

        FtraceRecord cmdline = parsed.entries().get(0);
        assertThat(cmdline.function()).isEqualTo("cmdline_proc_show");
        assertThat(cmdline.module()).isEmpty();
        assertThat(cmdline.refCount()).isEqualTo(1);
        assertThat(cmdline.flags()).containsExactlyInAnyOrder(FtraceFlag.REGS, FtraceFlag.IPMODIFY, FtraceFlag.MODIFIED);
        assertThat(cmdline.trampolines()).singleElement().satisfies(t -> {
            assertThat(t.trampoline()).isEqualTo("ftrace_trampoline+0x0/0x179 [__builtin__ftrace]");
            assertThat(t.handler()).contains("klp_ftrace_handler+0x0/0x1c0");
            assertThat(t.callTarget()).contains("klp_ftrace_handler+0x0/0x1c0");
        });
        assertThat(cmdline.hasLivepatchTrampoline()).isTrue();
        assertThat(parsed.skipped()).isEmpty();
    }

    @Test
    void a_bpf_direct_call_on_6_12_takes_its_target_from_the_continuation_line() {
        FtraceRecord tcp = EnabledFunctions.read(fixture("6.12")).orElseThrow().entries().get(2);

        assertThat(tcp.function()).isEqualTo("tcp_sendmsg");
        assertThat(tcp.flags()).containsExactlyInAnyOrder(FtraceFlag.DIRECT, FtraceFlag.MODIFIED);
        assertThat(tcp.directTarget()).contains("bpf_trampoline_6442522781+0x0/0x1000");
        assertThat(tcp.raw()).contains("\n\tdirect-->");
    }

    @Test
    void on_6_1_direct_and_module_functions_parse_without_the_newer_columns() {
        Parsed<FtraceRecord> parsed = EnabledFunctions.read(fixture("6.1")).orElseThrow();

        assertThat(parsed.entries()).extracting(FtraceRecord::function)
                .containsExactly("cmdline_proc_show", "tcp_sendmsg", "tcp_v4_connect", "p9_client_rpc");
        assertThat(parsed.entries().get(1).directTarget()).contains("bpf_trampoline_6442521987_0+0x0/0x1000");
        assertThat(parsed.entries().get(2).flags()).containsExactly(FtraceFlag.REGS);
        assertThat(parsed.entries().get(2).refCount()).isEqualTo(2);
        FtraceRecord p9 = parsed.entries().get(3);
        assertThat(p9.module()).contains("9pnet");
        assertThat(p9.trampolines().get(0).handler()).contains("kprobe_ftrace_handler+0x0/0x1a0");
        assertThat(p9.hasLivepatchTrampoline()).isFalse();
    }

    @Test
    void in_the_hand_made_4_x_tree_without_tracefs_the_debugfs_path_is_the_fallback() {
        // The tree has only debug/tracing, as a host that mounts debugfs but not tracefs (4.1+) shows it.
        Parsed<FtraceRecord> parsed = EnabledFunctions.read(fixture("handmade-4.x")).orElseThrow();

        assertThat(parsed.entries()).hasSize(2);
        assertThat(parsed.entries().get(0).flags()).containsExactlyInAnyOrder(FtraceFlag.REGS, FtraceFlag.IPMODIFY);
        assertThat(parsed.entries().get(0).hasLivepatchTrampoline()).isTrue();
        assertThat(parsed.entries().get(1).flags()).isEmpty();
    }

    @Test
    void newer_kernel_decorations_do_not_break_parsing() {
        // 6.3+ ops: entries, 6.13+ sub-ops in braces, and an unknown future flag letter Z.
        Parsed<FtraceRecord> parsed = EnabledFunctions.parse(
                "schedule (2) R I     M Z\ttramp: ftrace_trampoline+0x0/0x179 [__builtin__ftrace] "
                        + "(ftrace_ops_list_func+0x0/0x1a0) ->ftrace_ops_list_func+0x0/0x1a0 {klp_ftrace_handler+0x0/0x1c0}"
                        + "\tops: global_ops+0x0/0xc0 (function_trace_call+0x0/0x180)\n");

        FtraceRecord r = parsed.entries().get(0);
        assertThat(r.flags()).containsExactlyInAnyOrder(FtraceFlag.REGS, FtraceFlag.IPMODIFY, FtraceFlag.MODIFIED);
        assertThat(r.trampolines().get(0).callTarget()).contains("ftrace_ops_list_func+0x0/0x1a0");
        assertThat(r.ops()).contains("global_ops+0x0/0xc0 (function_trace_call+0x0/0x180)");
    }

    @Test
    void malformed_lines_are_skipped_with_reasons() {
        Parsed<FtraceRecord> parsed = EnabledFunctions.parse("""
                \tdirect-->orphan+0x0/0x10
                __ftrace_invalid_address___740
                vfs_write (x) R
                vfs_read (1) R
                """);

        assertThat(parsed.entries()).extracting(FtraceRecord::function).containsExactly("vfs_read");
        assertThat(parsed.skipped()).extracting(s -> s.reason()).containsExactly(
                "direct--> line without a function line before it",
                "not 'FUNCTION [MODULE] (COUNT) FLAGS'",
                "not 'FUNCTION [MODULE] (COUNT) FLAGS'");
    }

    @Test
    void no_tracing_mounted_means_unknown(@TempDir Path dir) {
        assertThat(EnabledFunctions.read(new KernelRoot(dir))).isEqualTo(Optional.empty());
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
