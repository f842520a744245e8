package dev.klpfleet.kernel.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.klpfleet.kernel.Parsed;
import dev.klpfleet.kernel.kmsg.KmsgParser;
import dev.klpfleet.kernel.module.ModuleFormatException;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.kernel.modules.Modules;
import dev.klpfleet.kernel.task.StackFrame;
import dev.klpfleet.kernel.tracing.EnabledFunctions;
import dev.klpfleet.kernel.tracing.KprobeList;
import java.nio.charset.StandardCharsets;

/**
 * Coverage-guided fuzzing (Jazzer) of every parser in the kernel room that reads bytes klpfleet does not
 * control: a {@code .ko}'s ELF (an uploaded module is inspected before anything trusts it), {@code /dev/kmsg}
 * records, {@code tracing/enabled_functions}, {@code kprobes/list}, {@code /proc/modules} and
 * {@code /proc/PID/stack}. The last four bytes of an input pick the parser, the rest is its input. A text
 * parser takes any bytes (entries or skipped lines, never an exception, never more of them than lines); the
 * ELF reader gives an inspection or a {@link ModuleFormatException}. One target, because Jazzer fuzzes one
 * per JVM; the committed inputs are real files ({@code KernelInputsFuzzTestInputs/}); docs/FUZZING.md.
 */
class KernelInputsFuzzTest {
    @FuzzTest(maxDuration = "6s")
    void anyInput(FuzzedDataProvider in) {
        int parser = in.consumeInt(0, 5);
        byte[] data = in.consumeRemainingAsBytes();
        String text = new String(data, StandardCharsets.UTF_8);
        switch (parser) {
            case 0 -> {
                try {
                    ModuleInspector.inspect(data);
                } catch (ModuleFormatException expected) {
                    // The documented refusal of a damaged module.
                }
            }
            case 1 -> bounded(KmsgParser.parse(text), text);
            case 2 -> bounded(EnabledFunctions.parse(text), text);
            case 3 -> bounded(KprobeList.parse(text), text);
            case 4 -> Modules.parse(text);
            default -> text.lines().forEach(StackFrame::parse);
        }
    }

    /** A parser that invents records is as wrong as one that throws. */
    static void bounded(Parsed<?> p, String text) {
        long lines = text.isEmpty() ? 0 : text.split("\n", -1).length;
        assertThat((long) p.entries().size() + p.skipped().size()).isLessThanOrEqualTo(lines);
    }
}
