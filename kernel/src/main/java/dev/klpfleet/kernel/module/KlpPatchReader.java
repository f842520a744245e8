package dev.klpfleet.kernel.module;

import dev.klpfleet.kernel.elf.ElfFile;
import dev.klpfleet.kernel.elf.ElfFormatException;
import dev.klpfleet.kernel.elf.ElfRelocation;
import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import dev.klpfleet.kernel.module.Pointers.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;

/**
 * Reads a livepatch module's {@code struct klp_patch} and the {@code klp_object} and
 * {@code klp_func} arrays it points at, from section bytes and relocations
 * (include/linux/livepatch.h; the leading fields used here are unchanged from 4.15 to 6.12):
 * <pre>
 * klp_patch  { struct module *mod @0; struct klp_object *objs @8; states @16 (5.5+); bool replace @16 (5.1-5.4) / @24 (5.5+) }
 * klp_object { const char *name @0 (NULL = vmlinux); struct klp_func *funcs @8; klp_callbacks { pre_patch @16; post_patch @24; pre_unpatch @32; post_unpatch @40 } (4.15+) }
 * klp_func   { const char *old_name @0; void *new_func @8; unsigned long old_sympos @16 }
 * </pre>
 * Both arrays end with an all-zero entry. Their strides (sizeof the struct, which depends on
 * kernel config) are inferred: the array symbol's size divided by the entries (one per
 * {@code funcs} or {@code new_func} pointer) plus the terminator.
 */
final class KlpPatchReader {

    private static final String[] CALLBACK_HOOKS = {"pre_patch", "post_patch", "pre_unpatch", "post_unpatch"};

    /** What was read; {@code objects} is empty when the patch could not be read (see {@code unknowns}). */
    record Result(List<KlpObjectInfo> objects, Replace replace, List<Unknown> unknowns) {}

    /** A struct that does not have the expected shape; the reason ends up in an {@link Unknown}. */
    private static final class Unreadable extends Exception {
        Unreadable(String reason) {
            super(reason, null, false, false);
        }
    }

    private record Patch(ElfSection section, long offset, String label, Optional<ElfSymbol> symbol, List<KlpObjectInfo> objects) {}

    private final ElfFile elf;
    private final Pointers pointers;
    private final SymbolCover cover;
    private final List<Unknown> unknowns = new ArrayList<>();

    KlpPatchReader(ElfFile elf, Pointers pointers) {
        this.elf = elf;
        this.pointers = pointers;
        this.cover = new SymbolCover(elf);
    }

    /**
     * Finds the module's {@code struct klp_patch} (data whose first word is relocated to
     * {@code __this_module} and whose second points at a well-formed klp_object array) and reads it.
     *
     * @param livepatch whether .modinfo says livepatch=Y; without it and without a klp_patch the
     *                  module is an ordinary one and nothing is unknown
     */
    Result read(boolean livepatch, Optional<String> release) throws ElfFormatException {
        List<Patch> found = new ArrayList<>();
        List<Patch> unreadable = new ArrayList<>();
        List<String> rejected = new ArrayList<>();
        for (Map.Entry<ElfSection, ElfRelocation> e : pointers.all()) {
            if (!e.getValue().symbol().name().equals("__this_module")) {
                continue;
            }
            ElfSection section = e.getKey();
            long offset = e.getValue().offset();
            String label = label(section, offset);
            Optional<Target> objs = pointers.at(section, offset + 8);
            if (objs.isEmpty()) {
                rejected.add(label + " has no objs pointer at +8");
                continue;
            }
            try {
                found.add(new Patch(section, offset, label, cover.covering(section, offset), objects(objs.get())));
            } catch (Unreadable u) {
                rejected.add(u.getMessage());
                unreadable.add(new Patch(section, offset, label, cover.covering(section, offset), List.of()));
            }
        }
        if (found.size() > 1) {
            String reason = found.size() + " candidates for struct klp_patch: " + String.join(", ", found.stream().map(Patch::label).toList());
            unknowns.add(new Unknown("objects", reason));
            unknowns.add(new Unknown("replace", reason));
            return new Result(List.of(), Replace.unknown(reason), unknowns);
        }
        if (found.isEmpty()) {
            if (!livepatch) {
                return new Result(List.of(), Replace.unknown("not a livepatch module"), unknowns);
            }
            String reason = rejected.isEmpty()
                    ? "no struct klp_patch: no data is relocated to __this_module at its first word"
                    : "cannot read the klp_patch objects: " + String.join("; ", rejected);
            unknowns.add(new Unknown("objects", reason));
            // A livepatch with one klp_patch-shaped struct whose arrays are unreadable (stripped
            // symbols) still has a readable replace flag.
            Replace replace = unreadable.size() == 1 ? replace(unreadable.get(0), release) : Replace.unknown(reason);
            if (!replace.known()) {
                unknowns.add(new Unknown("replace", replace.reason()));
            }
            return new Result(List.of(), replace, unknowns);
        }
        Patch patch = found.get(0);
        Replace replace = replace(patch, release);
        if (!replace.known()) {
            unknowns.add(new Unknown("replace", replace.reason()));
        }
        return new Result(patch.objects(), replace, unknowns);
    }

    private Replace replace(Patch patch, Optional<String> release) throws ElfFormatException {
        if (release.isEmpty()) {
            return Replace.unknown("no vermagic in .modinfo; the offset of klp_patch.replace depends on the kernel version");
        }
        Optional<KernelVersion> version = KernelVersion.ofRelease(release.get());
        if (version.isEmpty()) {
            return Replace.unknown("cannot read a kernel version from vermagic release '" + release.get() + "'");
        }
        KernelVersion v = version.get();
        if (!v.atLeast(5, 1)) {
            return new Replace(Replace.Value.FALSE, "kernel " + v + " predates atomic replace (added in 5.1)");
        }
        // 5.5 inserted klp_patch.states before replace ("livepatch: Basic API to track system state changes").
        long at = v.atLeast(5, 5) ? 24 : 16;
        String layout = v.atLeast(5, 5) ? "5.5+" : "5.1-5.4";
        if (patch.symbol().isPresent() && patch.symbol().get().size() > 0
                && patch.offset() + at >= patch.symbol().get().value() + patch.symbol().get().size()) {
            return Replace.unknown("klp_patch symbol " + patch.symbol().get().name() + " is " + patch.symbol().get().size()
                    + " bytes, too small to hold replace at +" + at + " (kernel " + v + " layout)");
        }
        int b = elf.u8(patch.section(), patch.offset() + at);
        String how = "klp_patch.replace at +" + at + " (layout of kernel " + layout + ", vermagic " + release.get() + ")";
        return switch (b) {
            case 0 -> new Replace(Replace.Value.FALSE, how);
            case 1 -> new Replace(Replace.Value.TRUE, how);
            default -> Replace.unknown(how + " holds 0x" + Integer.toHexString(b) + ", not a bool");
        };
    }

    private List<KlpObjectInfo> objects(Target objs) throws Unreadable, ElfFormatException {
        Array array = array(objs, "klp_object", ElfSection.SHF_WRITE, 16);
        List<KlpObjectInfo> out = new ArrayList<>();
        for (int i = 0; i < array.count(); i++) {
            long e = array.start() + i * array.stride();
            String where = "klp_object " + i + " of " + array.label();
            Optional<Target> namePointer = pointers.at(array.section(), e);
            String name;
            if (namePointer.isPresent()) {
                name = string(namePointer.get(), where + " name");
            } else if (elf.u64(array.section(), e) == 0) {
                name = KlpObjectInfo.VMLINUX;
            } else {
                throw new Unreadable(where + " has a non-NULL name without a relocation");
            }
            Target funcs = pointers.at(array.section(), e + 8)
                    .orElseThrow(() -> new Unreadable(where + " has no funcs pointer at +8"));
            List<Callback> callbacks = new ArrayList<>();
            for (int h = 0; h < CALLBACK_HOOKS.length && 16 + 8L * h + 8 <= array.stride(); h++) {
                Optional<Target> fn = pointers.at(array.section(), e + 16 + 8L * h);
                if (fn.isPresent()) {
                    callbacks.add(new Callback(CALLBACK_HOOKS[h], function(fn.get(), where + " callback " + CALLBACK_HOOKS[h])));
                }
            }
            out.add(new KlpObjectInfo(name, funcs(funcs, name), callbacks));
        }
        return out;
    }

    private List<FuncInfo> funcs(Target funcs, String object) throws Unreadable, ElfFormatException {
        Array array = array(funcs, "klp_func", ElfSection.SHF_EXECINSTR, 24);
        List<FuncInfo> out = new ArrayList<>();
        for (int i = 0; i < array.count(); i++) {
            long e = array.start() + i * array.stride();
            String where = "klp_func " + i + " of " + array.label() + " (object " + object + ")";
            String oldName = string(pointers.at(array.section(), e)
                    .orElseThrow(() -> new Unreadable(where + " has no old_name pointer at +0")), where + " old_name");
            Target newFunc = pointers.at(array.section(), e + 8)
                    .orElseThrow(() -> new Unreadable(where + " has no new_func pointer at +8"));
            long sympos = elf.u64(array.section(), e + 16);
            out.add(new FuncInfo(oldName, sympos, function(newFunc, where + " new_func")));
        }
        return out;
    }

    /** A terminated struct array located in a section: {@code count} entries plus a zero entry. */
    private record Array(ElfSection section, long start, long stride, int count, String label) {}

    /**
     * Locates the array {@code pointer} points at and infers its stride. Each entry holds exactly
     * one pointer into a section with {@code countedFlag} (writable klp_func arrays for
     * klp_object, executable code for klp_func), which counts the entries.
     */
    private Array array(Target pointer, String struct, long countedFlag, long minStride) throws Unreadable, ElfFormatException {
        if (!(pointer instanceof Target.InSection at)) {
            throw new Unreadable(struct + " array pointer targets " + ((Target.External) pointer).symbol() + ", outside the module");
        }
        String label = label(at.section(), at.offset());
        ElfSymbol symbol = cover.covering(at.section(), at.offset())
                .orElseThrow(() -> new Unreadable("no symbol covers the " + struct + " array at " + label
                        + " (stripped symbol table?), so its stride cannot be inferred"));
        long start = at.offset();
        long end = symbol.value() + symbol.size();
        SortedMap<Long, ElfRelocation> relocs = pointers.within(at.section(), start, end);
        int count = 0;
        for (ElfRelocation r : relocs.values()) {
            if (pointers.target(r) instanceof Target.InSection t && t.section().hasFlag(countedFlag)) {
                count++;
            }
        }
        if (count == 0) {
            throw new Unreadable(struct + " array " + label + " has no entries");
        }
        long length = end - start;
        if (length % (count + 1) != 0 || length / (count + 1) < minStride || length / (count + 1) % 8 != 0) {
            throw new Unreadable(struct + " array " + label + " is " + length + " bytes, which does not divide into "
                    + count + " entries plus a zero terminator");
        }
        long stride = length / (count + 1);
        long terminator = start + count * stride;
        if (!pointers.within(at.section(), terminator, end).isEmpty()
                || elf.u64(at.section(), terminator) != 0 || elf.u64(at.section(), terminator + 8) != 0) {
            throw new Unreadable(struct + " array " + label + " does not end with a zero entry at stride " + stride);
        }
        return new Array(at.section(), start, stride, count, label);
    }

    /** The NUL-terminated string a pointer targets. */
    private String string(Target t, String what) throws Unreadable {
        if (t instanceof Target.InSection s) {
            try {
                return elf.cString(s.section(), s.offset());
            } catch (ElfFormatException e) {
                throw new Unreadable(what + ": " + e.getMessage());
            }
        }
        throw new Unreadable(what + " points at " + ((Target.External) t).symbol() + ", outside the module");
    }

    /** The symbol a code pointer targets; "unknown" (recorded in unknowns) when no symbol covers it. */
    private String function(Target t, String what) {
        if (t instanceof Target.External e) {
            return e.symbol();
        }
        Target.InSection s = (Target.InSection) t;
        Optional<ElfSymbol> sym = cover.covering(s.section(), s.offset());
        if (sym.isPresent()) {
            ElfSymbol f = sym.get();
            return f.value() == s.offset() ? f.name() : f.name() + "+0x" + Long.toHexString(s.offset() - f.value());
        }
        unknowns.add(new Unknown("objects", what + " points at " + label(s.section(), s.offset()) + ", where no symbol is"));
        return "unknown";
    }

    private String label(ElfSection section, long offset) {
        return cover.covering(section, offset)
                .map(s -> s.value() == offset ? s.name() : s.name() + "+0x" + Long.toHexString(offset - s.value()))
                .orElse(section.name() + "+0x" + Long.toHexString(offset));
    }
}
