package dev.klpfleet.cli.build;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.cli.Main;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code klpfleet build --symbols/--symbols-only} refuse bad input before anything is built or written. */
class BuildSymbolsOptionsTest {
    @TempDir Path tmp;

    int build(String... symbolOptions) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        String[] base = {"build", "--source", source.toString(), "--kernel", "6.1.0-56-amd64", "--out", tmp.resolve("out").toString()};
        String[] args = new String[base.length + symbolOptions.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(symbolOptions, 0, args, base.length, symbolOptions.length);
        return Main.run(args);
    }

    @Test
    void a_symbols_path_that_is_not_a_directory_is_bad_input_and_builds_nothing() throws Exception {
        assertThat(build("--symbols", tmp.resolve("missing").toString())).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void symbols_only_without_a_symbols_directory_is_a_usage_error() throws Exception {
        assertThat(build("--symbols-only")).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("out")).doesNotExist();
    }

    @Test
    void a_cve_id_of_the_wrong_form_is_a_usage_error_and_builds_nothing() throws Exception {
        assertThat(build("--cve", "CVE-2030-1234", "--cve", "cve-2030-1")).isEqualTo(ExitCodes.USAGE);
        assertThat(tmp.resolve("out")).doesNotExist();
    }
}
