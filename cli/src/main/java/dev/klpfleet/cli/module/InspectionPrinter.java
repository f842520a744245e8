package dev.klpfleet.cli.module;

import dev.klpfleet.kernel.module.Callback;
import dev.klpfleet.kernel.module.FuncInfo;
import dev.klpfleet.kernel.module.KlpObjectInfo;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.Replace;
import dev.klpfleet.kernel.module.SymbolLookupCost;
import dev.klpfleet.kernel.module.Unknown;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.stream.Collectors;

/** The human form of {@code module inspect}: header facts, then the object -> func tree, then what is unknown. */
final class InspectionPrinter {

    private final PrintWriter out;

    InspectionPrinter(PrintWriter out) {
        this.out = out;
    }

    void print(Path file, ModuleInspection m) {
        out.printf("%s  (%s)%n", m.name(), m.livepatch() ? "livepatch" : "not a livepatch");
        out.printf("  file       %s, %d bytes, sha256 %s%n", file, m.sizeBytes(), m.sha256());
        out.printf("  vermagic   %s%n", m.vermagic().map(String::strip).orElse("unknown"));
        out.printf("  license    %s%n", m.license().orElse("-"));
        out.printf("  depends    %s%n", m.depends().isEmpty() ? "-" : String.join(", ", m.depends()));
        m.srcversion().ifPresent(s -> out.printf("  srcversion %s%n", s));
        if (m.livepatch() || !m.objects().isEmpty()) {
            out.printf("  replace    %s%n", replace(m.replace()));
            boolean objectsUnknown = m.unknowns().stream().anyMatch(u -> u.field().equals("objects"));
            if (m.objects().isEmpty() && objectsUnknown) {
                out.printf("  objects    unknown (see below)%n");
            } else {
                out.printf("  objects    %d, funcs %d%n", m.objects().size(), m.funcs().size());
            }
            for (KlpObjectInfo o : m.objects()) {
                printObject(o);
            }
        }
        out.printf("  symbols    %s%n", lookup(m.symbolLookup()));
        for (Unknown u : m.unknowns()) {
            out.printf("  unknown    %s: %s%n", u.field(), u.reason());
        }
    }

    private void printObject(KlpObjectInfo o) {
        out.printf("    %s%n", o.name());
        int width = o.funcs().stream().mapToInt(f -> f.name().length()).max().orElse(0);
        for (FuncInfo f : o.funcs()) {
            out.printf("      %-" + width + "s  sympos %d  -> %s%n", f.name(), f.sympos(), f.newFunc());
        }
        if (!o.callbacks().isEmpty()) {
            out.printf("      callbacks: %s%n",
                    o.callbacks().stream().map(InspectionPrinter::callback).collect(Collectors.joining(", ")));
        }
    }

    private static String replace(Replace r) {
        return switch (r.value()) {
            case TRUE -> "yes (atomic replace: supersedes every loaded livepatch)";
            case FALSE -> "no";
            case UNKNOWN -> "unknown: " + r.reason();
        };
    }

    private static String lookup(SymbolLookupCost c) {
        String line = String.format("%d .klp.sym, %d .klp.rela sections (%d relocations), %d undefined",
                c.klpSymbols(), c.klpRelocationSections(), c.klpRelocations(), c.undefinedSymbols());
        return c.klpSymbols() == 0 ? line
                : line + "; insmod walks all of kallsyms once per .klp.sym (hogs a CPU on kernels before 5.17)";
    }

    private static String callback(Callback c) {
        return c.hook() + "=" + c.function();
    }
}
