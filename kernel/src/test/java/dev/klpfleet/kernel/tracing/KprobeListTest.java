package dev.klpfleet.kernel.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.Parsed;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class KprobeListTest {

    @Test
    void vmlinux_and_module_probes_on_6_1() {
        Parsed<Kprobe> parsed = KprobeList.read(fixture("6.1")).orElseThrow();

        assertThat(parsed.skipped()).isEmpty();
        Kprobe entry = parsed.entries().get(0);
        assertThat(entry.address()).isEqualTo("ffffffff9a4c57c0");
        assertThat(entry.type()).isEqualTo(KprobeType.KPROBE);
        assertThat(entry.symbol()).isEqualTo("tcp_v4_connect");
        assertThat(entry.offset()).isZero();
        assertThat(entry.module()).isEmpty();
        assertThat(entry.states()).containsExactly(KprobeState.FTRACE);
        Kprobe ret = parsed.entries().get(1);
        assertThat(ret.type()).isEqualTo(KprobeType.KRETPROBE);
        assertThat(ret.offset()).isEqualTo(4);
        assertThat(ret.states()).isEmpty();
        assertThat(parsed.entries().get(2).module()).contains("9pnet");
    }

    @Test
    void a_disabled_probe_in_the_hand_made_4_x_list_is_not_active() {
        Kprobe probe = KprobeList.read(fixture("handmade-4.x")).orElseThrow().entries().get(0);

        assertThat(probe.states()).containsExactlyInAnyOrder(KprobeState.DISABLED, KprobeState.FTRACE);
        assertThat(probe.isActive()).isFalse();
    }

    @Test
    void a_probe_printed_with_pS_carries_length_and_bracketed_module() {
        Kprobe probe = KprobeList.parseLine("ffffffffc0a01010  k  foo_write+0x10/0x80 [foo] [GONE]");

        assertThat(probe.symbol()).isEqualTo("foo_write");
        assertThat(probe.offset()).isEqualTo(16);
        assertThat(probe.module()).contains("foo");
        assertThat(probe.states()).containsExactly(KprobeState.GONE);
    }

    @Test
    void malformed_lines_are_skipped_with_reasons() {
        Parsed<Kprobe> parsed = KprobeList.parse("""
                zz  k  foo+0x0
                ffffffff81000000  q  foo+0x0
                ffffffff81000000  k  foo
                ffffffff81000000  k
                ffffffff81000000  k  bar+0x0
                """);

        assertThat(parsed.entries()).extracting(Kprobe::symbol).containsExactly("bar");
        assertThat(parsed.skipped()).extracting(s -> s.reason()).containsExactly(
                "address is not hex: 'zz'",
                "unknown probe type 'q'",
                "symbol is not 'NAME+0xOFFSET': 'foo'",
                "expected 'ADDRESS TYPE SYMBOL+OFFSET', found 2 fields");
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
