package dev.klpfleet.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.taint.TaintFlag;
import dev.klpfleet.kernel.taint.TaintGate;
import dev.klpfleet.protocol.fleet.BadTaint;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The server's bad-taint mask (protocol) and the kernel room's taint table agree, though neither depends on the other. */
class BadTaintTableTest {
    @Test
    void the_protocol_mask_holds_exactly_the_flags_the_kernel_table_calls_bad() {
        long kernelBad = Arrays.stream(TaintFlag.values()).filter(f -> f.gate() == TaintGate.BAD).mapToLong(TaintFlag::mask).reduce(0, (a, b) -> a | b);
        assertThat(Long.toBinaryString(BadTaint.MASK)).isEqualTo(Long.toBinaryString(kernelBad));
        StringBuilder letters = new StringBuilder();
        Arrays.stream(TaintFlag.values()).filter(f -> f.gate() == TaintGate.BAD).forEach(f -> letters.append(f.letter()));
        assertThat(BadTaint.letters(BadTaint.MASK)).isEqualTo(letters.toString());
    }
}
