package dev.klpfleet.kernel.module;

/**
 * The symbols the kernel resolves when the module is loaded. Each {@code .klp.sym} symbol is found
 * by {@code klp_find_object_symbol()}, a walk over all of kallsyms (hundreds of thousands of
 * entries); before kernel 5.17 that walk had no {@code cond_resched()}, so a patch with many of
 * them hogged a CPU during insmod. Undefined symbols are resolved against the exported-symbol
 * tables, which is cheap.
 *
 * @param klpRelocationSections sections named {@code .klp.rela.<object>.<section>} (or flagged SHF_RELA_LIVEPATCH)
 * @param klpRelocations        relocation entries in those sections
 * @param klpSymbols            symbols with section index SHN_LIVEPATCH (0xff20), named {@code .klp.sym.<object>.<name>,<sympos>}
 * @param undefinedSymbols      symbols with section index SHN_UNDEF, resolved by the module loader
 */
public record SymbolLookupCost(int klpRelocationSections, int klpRelocations, int klpSymbols, int undefinedSymbols) {}
