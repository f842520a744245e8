package dev.klpfleet.cli.module;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Json;
import dev.klpfleet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code klpfleet module inspect} on the kernel room's fixture modules. */
class ModuleInspectCommandTest {

    private static final Path MULTI_61 = Path.of("../kernel/src/test/resources/modules/6.1.0-56-amd64/klp_multi.ko");

    private record Run(int exit, String out, String err) {}

    private static Run klpfleet(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int exit = Main.run(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void humanFormShowsTheObjectFuncTreeWithSympos() {
        Run run = klpfleet("module", "inspect", MULTI_61.toString());

        assertThat(run.exit()).isEqualTo(ExitCodes.OK);
        assertThat(run.out()).startsWith("klp_multi  (livepatch)\n")
                .contains("  vermagic   6.1.0-56-amd64 SMP preempt mod_unload modversions\n")
                .contains("  replace    yes (atomic replace: supersedes every loaded livepatch)\n")
                .contains("    vmlinux\n      cmdline_proc_show  sympos 2  -> fixture_cmdline_proc_show\n")
                .contains("    ext4\n      ext4_statfs   sympos 1  -> fixture_ext4_statfs\n")
                .contains("  symbols    0 .klp.sym, 0 .klp.rela sections (0 relocations), 4 undefined\n");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void jsonHasTheDocumentedFields() throws Exception {
        Run run = klpfleet("module", "inspect", "--json", MULTI_61.toString());

        assertThat(run.exit()).isEqualTo(ExitCodes.OK);
        JsonNode json = Json.mapper().readTree(run.out());
        assertThat(json.fieldNames()).toIterable().containsExactly("name", "vermagic", "kernelRelease", "srcversion",
                "license", "depends", "livepatch", "replace", "objects", "symbolLookup", "unknowns", "sizeBytes", "sha256");
        assertThat(json.get("replace").fieldNames()).toIterable().containsExactly("value", "reason");
        assertThat(json.get("replace").get("value").asText()).isEqualTo("TRUE");
        JsonNode object = json.get("objects").get(1);
        assertThat(object.fieldNames()).toIterable().containsExactly("name", "funcs", "callbacks");
        assertThat(object.get("name").asText()).isEqualTo("ext4");
        assertThat(object.get("funcs").get(0).toString())
                .isEqualTo("{\"name\":\"ext4_statfs\",\"sympos\":1,\"newFunc\":\"fixture_ext4_statfs\"}");
        assertThat(json.get("srcversion").isNull()).isTrue();
    }

    @Test
    void notAModuleIsBadInputWithOneLine(@TempDir Path dir) throws Exception {
        Path text = Files.writeString(dir.resolve("notes.ko"), "not a module\n");

        Run run = klpfleet("module", "inspect", text.toString());

        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("klpfleet: " + text + ": not an ELF file\n");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void missingFileIsBadInput(@TempDir Path dir) {
        Path missing = dir.resolve("gone.ko");

        Run run = klpfleet("module", "inspect", missing.toString());

        assertThat(run.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(run.err()).isEqualTo("klpfleet: " + missing + ": no such file\n");
    }
}
