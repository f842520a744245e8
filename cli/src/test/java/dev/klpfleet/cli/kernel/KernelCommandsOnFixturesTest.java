package dev.klpfleet.cli.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The kernel commands' documents and human forms, on the kernel room's fixture trees (parsing
 * only; the real behaviour is proven in testbench's KernelCommandsVmTest on real kernels).
 */
class KernelCommandsOnFixturesTest {
    private static final Path FIXTURES = Path.of("../kernel/src/test/resources/fixtures").toAbsolutePath();

    private record Run(int code, String out, String err) {}

    private static Run klpfleet(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void status_json_carries_every_patch_object_and_func_of_a_6_12_tree() throws Exception {
        Run r = klpfleet("kernel", "--kernel-root", FIXTURES.resolve("6.12").toString(), "status", "--json");

        assertThat(r.code()).isZero();
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertThat(doc.get("livepatchSupported").asBoolean()).isTrue();
        JsonNode target = doc.get("patches").get(1);
        assertThat(target.get("name").asText()).isEqualTo("klpf_target_patch");
        assertThat(target.get("transition").asBoolean()).isTrue();
        assertThat(target.get("replace").asBoolean()).isTrue();
        assertThat(target.get("objects").get(0).get("name").asText()).isEqualTo("klpf_target");
        // Only the documented fields: no accidental getters leak into the wire form.
        assertThat(target.get("objects").get(0).fieldNames()).toIterable().containsExactly("name", "patched", "funcs");
    }

    @Test
    void status_human_form_points_the_on_call_engineer_at_the_transition_in_progress() {
        Run r = klpfleet("kernel", "--kernel-root", FIXTURES.resolve("6.12").toString(), "status");

        assertThat(r.out()).contains("klpf_target_patch  enabled  IN TRANSITION (patching)", "klpfleet kernel blockers");
    }

    @Test
    void the_hand_made_4_x_tree_without_replace_shows_null_not_false() throws Exception {
        Run r = klpfleet("kernel", "--kernel-root", FIXTURES.resolve("handmade-4.x").toString(), "status", "--json");

        JsonNode p = new ObjectMapper().readTree(r.out()).get("patches").get(0);
        assertThat(p.get("replace").isNull()).isTrue();
        assertThat(p.get("objects").get(0).get("patched").isNull()).isTrue();
    }

    @Test
    void status_shows_an_unreadable_taint_as_null_and_still_answers(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("proc/sys/kernel/tainted")); // exists, but every read fails (EISDIR)
        java.nio.file.Files.writeString(dir.resolve("proc/sys/kernel/osrelease"), "6.12.117+deb12-amd64\n");
        java.nio.file.Files.createDirectories(dir.resolve("sys/kernel/livepatch"));

        Run r = klpfleet("kernel", "--kernel-root", dir.toString(), "status", "--json");

        assertThat(r.code()).as(r.err()).isZero();
        assertThat(new ObjectMapper().readTree(r.out()).get("taint").isNull()).isTrue();
    }

    @Test
    void blockers_names_the_sleeping_kernel_thread_and_the_function() throws Exception {
        Run r = klpfleet("kernel", "--kernel-root", FIXTURES.resolve("6.12").toString(), "blockers", "--json");

        JsonNode t = new ObjectMapper().readTree(r.out()).get(0);
        assertThat(t.get("patch").asText()).isEqualTo("klpf_target_patch");
        assertThat(t.get("blockers").get(0).get("comm").asText()).isEqualTo("klpf_sleeper");
        assertThat(t.get("blockers").get(0).get("functions").get(0).asText()).isEqualTo("klpf_target_wait [klpf_target]");
    }

    @Test
    void a_missing_module_file_is_bad_input_in_one_line() {
        Run r = klpfleet("kernel", "preflight", "/nonexistent/x.ko");

        assertThat(r.code()).isEqualTo(3);
        assertThat(r.err().strip()).isEqualTo("klpfleet: /nonexistent/x.ko: no such file");
    }

    @Test
    void a_bad_stall_timeout_is_a_usage_error() {
        Run r = klpfleet("kernel", "load", "x.ko", "--stall-timeout", "soon");

        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("'soon' is not a duration");
    }
}
