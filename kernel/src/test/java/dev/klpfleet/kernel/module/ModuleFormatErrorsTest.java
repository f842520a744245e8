package dev.klpfleet.kernel.module;

import static dev.klpfleet.kernel.module.Fixtures.K612;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Files that are not modules end in one {@link ModuleFormatException} line naming the defect. */
class ModuleFormatErrorsTest {

    @Test
    void emptyFile(@TempDir Path dir) throws Exception {
        Path empty = Files.createFile(dir.resolve("empty.ko"));

        assertThatThrownBy(() -> ModuleInspector.inspect(empty))
                .isInstanceOf(ModuleFormatException.class).hasMessage("empty file");
    }

    @Test
    void textFileIsNotElf() {
        byte[] text = "obj-m := klp_single.o\n".getBytes(StandardCharsets.US_ASCII);

        assertThatThrownBy(() -> ModuleInspector.inspect(text))
                .isInstanceOf(ModuleFormatException.class).hasMessage("not an ELF file");
    }

    @Test
    void xzCompressedModuleSaysHowToDecompress() {
        byte[] xz = {(byte) 0xfd, '7', 'z', 'X', 'Z', 0, 0, 4};

        assertThatThrownBy(() -> ModuleInspector.inspect(xz))
                .isInstanceOf(ModuleFormatException.class).hasMessage("not an ELF file (xz-compressed; run xz -dk first)");
    }

    @Test
    void truncatedModuleNamesTheSectionsOutsideTheFile() {
        byte[] ko = Fixtures.bytes(K612, "klp_multi");
        byte[] half = Arrays.copyOf(ko, ko.length / 2);

        assertThatThrownBy(() -> ModuleInspector.inspect(half))
                .isInstanceOf(ModuleFormatException.class).hasMessageStartingWith("truncated: ");
    }

    @Test
    void headerOnlyIsTruncated() {
        byte[] ko = Fixtures.bytes(K612, "klp_multi");

        assertThatThrownBy(() -> ModuleInspector.inspect(Arrays.copyOf(ko, 40)))
                .isInstanceOf(ModuleFormatException.class).hasMessage("truncated: ELF header needs 64 bytes, file has 40");
    }

    @Test
    void elf32IsRefused() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K612, "klp_multi")).putByte(4, 1).bytes();

        assertThatThrownBy(() -> ModuleInspector.inspect(edited))
                .isInstanceOf(ModuleFormatException.class).hasMessageContaining("is not ELF64");
    }

    @Test
    void bigEndianIsRefused() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K612, "klp_multi")).putByte(5, 2).bytes();

        assertThatThrownBy(() -> ModuleInspector.inspect(edited))
                .isInstanceOf(ModuleFormatException.class).hasMessageContaining("is not little-endian");
    }

    @Test
    void arm64ModuleIsRefused() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K612, "klp_multi")).putShort(18, 183).bytes();

        assertThatThrownBy(() -> ModuleInspector.inspect(edited))
                .isInstanceOf(ModuleFormatException.class).hasMessage("ELF machine 183 is not x86-64 (62)");
    }

    @Test
    void objectWithoutModinfoIsNotAModule() throws Exception {
        byte[] edited = new ElfEdits(Fixtures.bytes(K612, "klp_multi"))
                .replaceInSection(".shstrtab", ".modinfo", ".modinfX").bytes();

        assertThatThrownBy(() -> ModuleInspector.inspect(edited))
                .isInstanceOf(ModuleFormatException.class).hasMessage("no .modinfo section: not a kernel module");
    }
}
