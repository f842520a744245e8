package dev.klpfleet.kernel.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.klpfleet.kernel.KernelRoot;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TracingStateTest {

    @Test
    void preflight_on_6_1_finds_bpf_kprobes_and_the_existing_livepatch() {
        TracingState state = TracingState.read(fixture("6.1"));

        List<FtraceUsage> users = state.usersOf(List.of(
                FuncTarget.vmlinux("cmdline_proc_show"),
                FuncTarget.vmlinux("tcp_sendmsg"),
                FuncTarget.vmlinux("tcp_v4_connect"),
                new FuncTarget("9pnet", "p9_client_rpc"),
                FuncTarget.vmlinux("untouched_function")));

        assertThat(users).extracting(u -> u.target().function(), FtraceUsage::kind).containsExactly(
                tuple("cmdline_proc_show", UsageKind.LIVEPATCH),
                tuple("tcp_sendmsg", UsageKind.DIRECT),
                tuple("tcp_v4_connect", UsageKind.TRACER),
                tuple("tcp_v4_connect", UsageKind.KPROBE),
                tuple("tcp_v4_connect", UsageKind.KPROBE),
                tuple("p9_client_rpc", UsageKind.TRACER),
                tuple("p9_client_rpc", UsageKind.KPROBE));
        assertThat(users.get(1).evidence()).contains("direct-->bpf_trampoline_6442521987_0");
        assertThat(users.get(3).evidence()).isEqualTo("ffffffff9a4c57c0  k  tcp_v4_connect+0x0    [FTRACE]");
        assertThat(state.ftraceEnabled()).contains(true);
    }

    @Test
    void a_module_function_does_not_match_a_vmlinux_target_of_the_same_name() {
        TracingState state = TracingState.read(fixture("6.1"));

        assertThat(state.usersOf(List.of(FuncTarget.vmlinux("p9_client_rpc")))).isEmpty();
        assertThat(state.usersOf(List.of(new FuncTarget("9pnet", "p9_client_rpc")))).isNotEmpty();
    }

    @Test
    void ipmodify_without_a_trampoline_is_foreign_unless_a_livepatch_is_known_to_patch_it() {
        TracingState state = TracingState.read(fixture("6.12"));
        FuncTarget meminfo = FuncTarget.vmlinux("meminfo_proc_show");

        assertThat(state.usersOf(List.of(meminfo))).extracting(FtraceUsage::kind)
                .containsExactly(UsageKind.IPMODIFY, UsageKind.TRACER, UsageKind.KPROBE);
        assertThat(state.usersOf(List.of(meminfo), Set.of(meminfo))).extracting(FtraceUsage::kind)
                .containsExactly(UsageKind.LIVEPATCH, UsageKind.TRACER, UsageKind.KPROBE);
    }

    @Test
    void a_foreign_ipmodify_user_is_reported_as_a_conflict() {
        TracingState state = new TracingState(java.util.Optional.of(true),
                java.util.Optional.of(EnabledFunctions.parse(
                        "do_sys_open (1) R I  \ttramp: 0xffffffffc0400000 (my_hook+0x0/0x40 [hooker]) ->my_hook+0x0/0x40 [hooker]\n")),
                java.util.Optional.empty());

        assertThat(state.usersOf(List.of(FuncTarget.vmlinux("do_sys_open"))))
                .extracting(FtraceUsage::kind).containsExactly(UsageKind.IPMODIFY);
    }

    @Test
    void unreadable_tracing_files_are_unknown_not_empty(@TempDir Path dir) {
        TracingState state = TracingState.read(new KernelRoot(dir));

        assertThat(state.enabledFunctions()).isEmpty();
        assertThat(state.kprobes()).isEmpty();
        assertThat(state.ftraceEnabled()).isEmpty();
    }

    @Test
    void module_names_with_dashes_match_the_kernel_spelling() {
        assertThat(new FuncTarget("my-driver", "f").object()).isEqualTo("my_driver");
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
