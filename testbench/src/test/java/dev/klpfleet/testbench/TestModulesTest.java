package dev.klpfleet.testbench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Building the test modules on the host (needs the headers of install-deps, no guest: tagged {@code vm}). */
@Tag("vm")
class TestModulesTest {

    @Test
    void everyTestModuleIsBuiltForTheReleaseWithLivepatchInfoWhereItIsALivepatch() throws IOException {
        TestModules modules = TestModules.forLine(KernelLine.V6_12);

        for (TestModule module : TestModule.values()) {
            Path ko = modules.ko(module);
            assertThat(ko).isRegularFile().hasFileName(module.fileName());
            String modinfo = new String(Files.readAllBytes(ko), java.nio.charset.StandardCharsets.ISO_8859_1);
            assertThat(modinfo).contains("vermagic=" + modules.release() + " ");
            assertThat(modinfo.contains("livepatch=Y")).as(module + " is a livepatch")
                    .isEqualTo(module != TestModule.KLPF_TARGET);
        }
    }

    @Test
    void aSecondRequestInTheSameJvmReturnsTheSameBuild() {
        assertThat(TestModules.forLine(KernelLine.V6_12)).isSameAs(TestModules.forRelease(KernelLine.V6_12.release()));
    }

    @Test
    void copyAllToPlacesEveryKoInTheDirectory(@TempDir Path share) throws IOException {
        TestModules.forLine(KernelLine.V6_12).copyAllTo(share.resolve("ko"));

        try (var files = Files.list(share.resolve("ko"))) {
            assertThat(files.map(p -> p.getFileName().toString()).toList())
                    .containsExactlyInAnyOrderElementsOf(Arrays.stream(TestModule.values()).map(TestModule::fileName).toList());
        }
    }

    @Test
    void anUnknownModuleNameIsRefused() {
        assertThatThrownBy(() -> TestModules.forLine(KernelLine.V6_12).ko("klpf_nonexistent"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no test module klpf_nonexistent");
    }

    @Test
    void buildModuleReportsTheCompilerErrorAndKeepsTheSourceClean(@TempDir Path dir) throws IOException {
        Path source = Files.createDirectories(dir.resolve("broken"));
        Files.writeString(source.resolve("Kbuild"), "obj-m := broken.o\n");
        Files.writeString(source.resolve("broken.c"), "#include <linux/module.h>\nint broken(void) { return undeclared_thing; }\n");

        HostCommand.Result result = new HostCommand(List.of(Testbench.script("build-module").toString(),
                "--kernel", "6.12", source.toString(), dir.resolve("out").toString()), TestModules.BUILD_LIMIT).run();

        assertThat(result.exitCode()).isEqualTo(1);
        assertThat(result.stderr()).contains("undeclared_thing").contains("failed");
        try (var files = Files.list(source)) {
            assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactlyInAnyOrder("Kbuild", "broken.c");
        }
        assertThat(dir.resolve("out")).doesNotExist();
    }
}
