package dev.klpfleet.kernel.task;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line of {@code /proc/<pid>/stack}, e.g. {@code [<0>] klpf_target_wait+0x4b/0x80 [klpf_target]}.
 *
 * @param function the symbol the return address falls in
 * @param module   the module that symbol belongs to; empty for vmlinux
 * @param raw      the line as the kernel printed it
 */
public record StackFrame(String function, Optional<String> module, String raw) {
    // Addresses print as [<0>] for non-root readers since 4.15 and as real addresses before.
    private static final Pattern LINE = Pattern.compile(
            "^\\s*\\[<[0-9a-fx]+>]\\s+([^\\s+]+)(?:\\+0x[0-9a-f]+/0x[0-9a-f]+)?(?:\\s+\\[([^\\]]+)])?.*$");

    /** Parses one stack line; empty for lines that are not frames (blank, truncated). */
    public static Optional<StackFrame> parse(String line) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new StackFrame(m.group(1), Optional.ofNullable(m.group(2)), line.strip()));
    }

    /** The object this frame's function belongs to, in livepatch's naming: {@code vmlinux} or the module name. */
    public String object() {
        return module.orElse("vmlinux");
    }
}
