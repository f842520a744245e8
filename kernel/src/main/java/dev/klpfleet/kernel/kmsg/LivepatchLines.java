package dev.klpfleet.kernel.kmsg;

import dev.klpfleet.kernel.modules.Modules;
import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Picks the kernel log lines that concern livepatching: the livepatch core's own lines
 * ({@code livepatch: enabling patch '...'}, transition progress, failures), lines naming
 * {@code klp} symbols, and lines that name one of the given modules (the loader's taint notices,
 * the module's own pr_* lines, which the kernel prefixes with the module name).
 */
public final class LivepatchLines {

    private static final Pattern KLP = Pattern.compile("\\bklp_|\\bklp\\b");

    private LivepatchLines() {}

    /** A filter matching livepatch lines and any line that names one of {@code modules}. */
    public static Predicate<KmsgRecord> concerning(Collection<String> modules) {
        // The kernel prints module names as stored (with '_'); match both spellings anyway.
        List<Pattern> names = modules.stream()
                .flatMap(m -> Stream.of(Modules.normalize(m), m.replace('_', '-')))
                .distinct()
                // Whole names only: a module called "patch" must not match "livepatch_foo".
                .map(n -> Pattern.compile("(?<![\\w-])" + Pattern.quote(n) + "(?![\\w-])"))
                .toList();
        return r -> {
            String msg = r.message();
            if (msg.startsWith("livepatch:") || msg.contains("livepatch: ") || KLP.matcher(msg).find()) {
                return true;
            }
            return names.stream().anyMatch(n -> n.matcher(msg).find());
        };
    }
}
