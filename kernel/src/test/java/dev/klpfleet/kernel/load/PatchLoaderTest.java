package dev.klpfleet.kernel.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import dev.klpfleet.kernel.module.ModuleInspection;
import dev.klpfleet.kernel.module.ModuleInspector;
import dev.klpfleet.kernel.preflight.Check;
import dev.klpfleet.kernel.preflight.Verdict;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.InstantSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The paths of a load that end before anything is written to the kernel, on fixture trees, through
 * the loader the CLI and the agent build. The paths past insmod are in {@link PatchLoaderPathsTest}
 * (a scripted kernel) and, on real kernels, in testbench's KernelCommandsVmTest.
 */
class PatchLoaderTest {
    private static final String RELEASE = "6.12.117+deb12-amd64";

    private static PatchLoader loader(KernelRoot root) {
        return PatchLoader.of(root, InstantSource.system());
    }

    private static Path ko(String name) throws Exception {
        return Path.of(PatchLoaderTest.class.getResource("/modules/" + RELEASE + "/" + name + ".ko").toURI());
    }

    @Test
    void a_module_built_for_another_kernel_is_refused_with_the_two_releases_and_nothing_runs(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        ModuleInspection single = ModuleInspector.inspect(ko("klp_single"));

        LoadResult r = loader(root).load(ko("klp_single"), single, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.REFUSED);
        assertThat(r.message()).contains("vermagic", RELEASE, "6.12-fixture");
        assertThat(r.timings().insmodMs()).isNull();
        assertThat(r.kernelLog()).isEmpty();
        assertThat(r.preflight()).extracting(Check::name).contains("vermagic", "no-transition", "kprobes", "taint");
        // The fixture has a patch in transition: the kernel would refuse a second one with EBUSY.
        assertThat(r.preflight()).filteredOn(c -> c.name().equals("no-transition"))
                .extracting(Check::verdict).containsExactly(Verdict.FAIL);
    }

    @Test
    void a_patch_already_enabled_with_the_same_functions_is_applied_without_touching_the_kernel(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        String patch = "/sys/kernel/livepatch/klp_single";
        Files.createDirectories(root.path(patch + "/vmlinux/cmdline_proc_show,1"));
        Files.createDirectories(root.path(patch + "/vmlinux/version_proc_show,1"));
        Files.writeString(root.path(patch + "/enabled"), "1\n");
        Files.writeString(root.path(patch + "/transition"), "0\n");
        ModuleInspection single = ModuleInspector.inspect(ko("klp_single"));

        LoadResult r = loader(root).load(ko("klp_single"), single, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.APPLIED);
        assertThat(r.message()).startsWith("already applied");
        assertThat(r.timings().insmodMs()).isNull();
    }

    @Test
    void the_same_name_replacing_other_functions_is_not_taken_for_applied(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        String patch = "/sys/kernel/livepatch/klp_single";
        Files.createDirectories(root.path(patch + "/vmlinux/cmdline_proc_show,1"));
        Files.writeString(root.path(patch + "/enabled"), "1\n");
        Files.writeString(root.path(patch + "/transition"), "0\n");
        ModuleInspection single = ModuleInspector.inspect(ko("klp_single"));

        LoadResult r = loader(root).load(ko("klp_single"), single, LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.REFUSED);
        assertThat(r.message()).contains("already loaded");
    }

    @Test
    void unloading_a_patch_that_is_not_loaded_says_so_and_changes_nothing() throws Exception {
        LoadResult r = loader(Fixtures.kernel("6.12")).unload("nope", LoadOptions.defaults());

        assertThat(r.result()).isEqualTo(Result.NOT_LOADED);
        assertThat(r.message()).contains("nope");
    }
}
