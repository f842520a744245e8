package dev.klpfleet.kernel.elf;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reader agrees with {@code readelf -S -s -r} on the 6.1 klp_multi fixture (values checked by hand). */
class ElfFileTest {

    private static ElfFile klpMulti61() throws Exception {
        return ElfFile.parse(ByteBuffer.wrap(Files.readAllBytes(Path.of("src/test/resources/modules/6.1.0-56-amd64/klp_multi.ko"))));
    }

    @Test
    void symbolsCarrySizesAndSections() throws Exception {
        ElfFile elf = klpMulti61();
        ElfSection data = elf.section(".data").orElseThrow();

        ElfSymbol objs = elf.symbols().stream().filter(s -> s.name().equals("objs")).findFirst().orElseThrow();

        assertThat(objs.shndx()).isEqualTo(data.index());
        assertThat(objs.value()).isEqualTo(0xe0);
        assertThat(objs.size()).isEqualTo(504);
        assertThat(objs.type()).isEqualTo(ElfSymbol.STT_OBJECT);
        assertThat(elf.symbols().stream().filter(s -> s.shndx() == ElfSymbol.SHN_UNDEF && s.index() > 0).map(ElfSymbol::name))
                .containsExactlyInAnyOrder("klp_enable_patch", "__fentry__", "__x86_return_thunk", "seq_printf");
    }

    @Test
    void relaDataRelocatesThePatchToThisModuleAndObjs() throws Exception {
        ElfFile elf = klpMulti61();

        List<ElfRelocation> relocations = elf.relocations(elf.section(".rela.data").orElseThrow());

        assertThat(relocations).hasSize(13);
        assertThat(relocations.get(0).offset()).isZero();
        assertThat(relocations.get(0).symbol().name()).isEqualTo("__this_module");
        assertThat(relocations.get(1).offset()).isEqualTo(8);
        // readelf prints ".data + e0": a section symbol (which has no name of its own) plus addend
        assertThat(relocations.get(1).symbol().isSection()).isTrue();
        assertThat(relocations.get(1).symbol().shndx()).isEqualTo(elf.section(".data").orElseThrow().index());
        assertThat(relocations.get(1).addend()).isEqualTo(0xe0);
    }

    @Test
    void stringsAndWordsAreBoundsChecked() throws Exception {
        ElfFile elf = klpMulti61();
        ElfSection strings = elf.section(".rodata.str1.1").orElseThrow();

        assertThat(elf.cString(strings, 0x20)).isEqualTo("ext4");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> elf.u64(strings, strings.size() - 4))
                .isInstanceOf(ElfFormatException.class).hasMessageContaining("lies outside the section");
    }
}
