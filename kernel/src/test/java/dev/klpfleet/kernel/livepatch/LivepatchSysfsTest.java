package dev.klpfleet.kernel.livepatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Fixtures;
import dev.klpfleet.kernel.KernelRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LivepatchSysfsTest {

    @Test
    void a_6_12_kernel_shows_replace_stack_order_and_per_object_patched() {
        LivepatchSysfs sysfs = new LivepatchSysfs(Fixtures.kernel("6.12"));

        assertThat(sysfs.supported()).isTrue();
        assertThat(sysfs.patches()).extracting(KlpPatch::name).containsExactly("klpf_cmdline", "klpf_target_patch");

        KlpPatch cmdline = sysfs.patch("klpf_cmdline").orElseThrow();
        assertThat(cmdline.enabled()).isTrue();
        assertThat(cmdline.transition()).isFalse();
        assertThat(cmdline.replace()).contains(false);
        assertThat(cmdline.stackOrder()).isEqualTo(OptionalInt.of(1));
        assertThat(cmdline.attributes()).containsExactly("enabled", "force", "replace", "stack_order", "transition");
        assertThat(cmdline.objects()).containsExactly(
                new KlpObject("vmlinux", Optional.of(true), java.util.List.of(new KlpFunc("cmdline_proc_show", 1))));

        KlpPatch target = sysfs.patch("klpf_target_patch").orElseThrow();
        assertThat(target.transition()).isTrue();
        assertThat(target.replace()).contains(true);
        assertThat(target.funcs()).extracting(f -> f.object() + ":" + f.func().name())
                .containsExactly("klpf_target:klpf_target_show", "klpf_target:klpf_target_wait");
    }

    @Test
    void a_6_1_kernel_has_per_object_patched_but_no_replace_attribute() {
        KlpPatch p = new LivepatchSysfs(Fixtures.kernel("6.1")).patch("klpf_cmdline").orElseThrow();

        assertThat(p.replace()).isEmpty();
        assertThat(p.stackOrder()).isEmpty();
        assertThat(p.hasAttribute("replace")).isFalse();
        assertThat(p.objects().get(0).patched()).contains(true);
    }

    @Test
    void the_hand_made_4_x_tree_has_signal_and_no_per_object_patched() {
        // Laid out as a 4.x kernel would be: `signal` exists 4.15-5.0, `<object>/patched` only since 6.0.
        KlpPatch p = new LivepatchSysfs(Fixtures.kernel("handmade-4.x")).patch("klpf_cmdline").orElseThrow();

        assertThat(p.hasAttribute("signal")).isTrue();
        assertThat(p.objects().get(0).patched()).isEmpty();
        assertThat(p.objects().get(0).vmlinux()).isTrue();
    }

    @Test
    void a_kernel_without_livepatch_support_has_no_directory_and_no_patches(@TempDir Path empty) {
        LivepatchSysfs sysfs = new LivepatchSysfs(new KernelRoot(empty));

        assertThat(sysfs.supported()).isFalse();
        assertThat(sysfs.patches()).isEmpty();
        assertThat(sysfs.patch("anything")).isEmpty();
        assertThat(sysfs.transition("anything")).isEmpty();
    }

    @Test
    void writing_enabled_writes_the_value_the_kernel_expects(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        LivepatchSysfs sysfs = new LivepatchSysfs(root);

        sysfs.setEnabled("klpf_target_patch", false);

        assertThat(Files.readString(root.path("/sys/kernel/livepatch/klpf_target_patch/enabled"))).isEqualTo("0\n");
        assertThat(sysfs.enabled("klpf_target_patch")).contains(false);
    }

    @Test
    void a_patch_that_vanishes_between_listing_and_reading_is_left_out(@TempDir Path dir) throws Exception {
        KernelRoot root = Fixtures.copy("6.12", dir);
        Files.delete(root.path("/sys/kernel/livepatch/klpf_cmdline/enabled"));

        assertThat(new LivepatchSysfs(root).patches()).extracting(KlpPatch::name).containsExactly("klpf_target_patch");
    }

    @Test
    void function_directories_carry_the_sympos_after_the_comma() {
        assertThat(KlpFunc.fromDirName("show_cpuinfo,2")).isEqualTo(new KlpFunc("show_cpuinfo", 2));
        assertThat(KlpFunc.fromDirName("odd,name,1")).isEqualTo(new KlpFunc("odd,name", 1));
        assertThat(KlpFunc.fromDirName("nosympos")).isEqualTo(new KlpFunc("nosympos", 0));
    }
}
