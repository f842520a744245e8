package dev.klpfleet.kernel.module;

import static dev.klpfleet.kernel.module.Fixtures.K61;
import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.elf.ElfSection;
import dev.klpfleet.kernel.elf.ElfSymbol;
import org.junit.jupiter.api.Test;

/**
 * Modules the test kernels' toolchain does not emit (other kernel versions, klp-convert output,
 * damaged modinfo), made by editing fixture bytes.
 */
class ModuleVariantsTest {

    @Test
    void replaceOfAKernel51To54PatchIsReadAtOffset16() throws Exception {
        // klp_multi sets replace = true at +24; in the 5.1-5.4 layout +16 holds it, here the NULL states pointer.
        byte[] edited = new ElfEdits(Fixtures.bytes(K61, "klp_multi"))
                .replaceInSection(".modinfo", "vermagic=6.1.0", "vermagic=5.1.0").bytes();

        Replace replace = ModuleInspector.inspect(edited).replace();

        assertThat(replace.value()).isEqualTo(Replace.Value.FALSE);
        assertThat(replace.reason()).contains("+16", "5.1-5.4", "5.1.0-56-amd64");
    }

    @Test
    void kernelsBefore51HaveNoAtomicReplace() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K61, "klp_multi"))
                .replaceInSection(".modinfo", "vermagic=6.1.0", "vermagic=4.1.0").bytes();

        assertThat(ModuleInspector.inspect(edited).replace())
                .isEqualTo(new Replace(Replace.Value.FALSE, "kernel 4.1 predates atomic replace (added in 5.1)"));
    }

    @Test
    void unreadableVermagicMakesReplaceUnknown() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K61, "klp_multi"))
                .replaceInSection(".modinfo", "vermagic=6.1.0", "vermagic=x.1.0").bytes();

        ModuleInspection m = ModuleInspector.inspect(edited);

        assertThat(m.replace().value()).isEqualTo(Replace.Value.UNKNOWN);
        assertThat(m.unknowns()).extracting(Unknown::field).containsExactly("replace");
        assertThat(m.objects()).hasSize(2);
    }

    @Test
    void nameFallsBackToStructModuleWhenModinfoLacksIt() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K61, "klp_single"))
                .replaceInSection(".modinfo", "name=klp_single", "nbme=klp_single").bytes();

        assertThat(ModuleInspector.inspect(edited).name()).isEqualTo("klp_single");
    }

    @Test
    void livepatchRelocationSectionsAndSymbolsAreCounted() throws Exception {
        // What klp-convert or kpatch-build leave: a RELA section flagged SHF_RELA_LIVEPATCH and
        // symbols in SHN_LIVEPATCH, which the livepatch core resolves through kallsyms at load.
        ElfEdits edits = new ElfEdits(Fixtures.bytes(K61, "klp_single"));
        ElfSection relaText = edits.elf().section(".rela.text").orElseThrow();
        byte[] edited = edits
                .addSectionFlag(".rela.text", ElfSection.SHF_RELA_LIVEPATCH)
                .symbolSection("seq_printf", ElfSymbol.SHN_LIVEPATCH)
                .bytes();

        SymbolLookupCost cost = ModuleInspector.inspect(edited).symbolLookup();

        assertThat(cost).isEqualTo(new SymbolLookupCost(1, (int) (relaText.size() / 24), 1, 3));
        assertThat(cost.klpRelocations()).isPositive();
    }
}
