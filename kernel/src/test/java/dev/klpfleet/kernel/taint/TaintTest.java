package dev.klpfleet.kernel.taint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.klpfleet.kernel.KernelRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaintTest {

    @Test
    void a_loaded_livepatch_decodes_to_out_of_tree_unsigned_and_livepatch() {
        // 45056 is what a qemu guest showed after insmod of an unsigned out-of-tree livepatch.
        Taint taint = Taint.decode(45056);

        assertThat(taint.flags()).containsExactlyInAnyOrder(
                TaintFlag.OOT_MODULE, TaintFlag.UNSIGNED_MODULE, TaintFlag.LIVEPATCH);
        assertThat(taint.letters()).isEqualTo("OEK");
        assertThat(taint.bad()).isEmpty();
        assertThat(taint.expectedForLivepatch()).hasSize(3);
        assertThat(taint.unknownBits()).isZero();
    }

    @Test
    void an_oops_and_a_warning_are_bad_for_the_gate() {
        Taint taint = Taint.decode(TaintFlag.DIE.mask() | TaintFlag.WARN.mask() | TaintFlag.LIVEPATCH.mask());

        assertThat(taint.bad()).containsExactlyInAnyOrder(TaintFlag.DIE, TaintFlag.WARN);
        assertThat(taint.letters()).isEqualTo("DWK");
    }

    @Test
    void only_taint_added_since_the_first_reading_counts() {
        Taint before = Taint.decode(TaintFlag.WARN.mask());
        Taint after = Taint.decode(TaintFlag.WARN.mask() | TaintFlag.LIVEPATCH.mask() | TaintFlag.SOFTLOCKUP.mask());

        Taint added = after.addedSince(before);

        assertThat(added.flags()).containsExactlyInAnyOrder(TaintFlag.LIVEPATCH, TaintFlag.SOFTLOCKUP);
        assertThat(added.bad()).containsExactly(TaintFlag.SOFTLOCKUP);
    }

    @Test
    void bits_from_a_newer_kernel_are_kept_not_dropped() {
        Taint taint = Taint.decode((1L << 19) | TaintFlag.PROPRIETARY_MODULE.mask());

        assertThat(taint.flags()).containsExactly(TaintFlag.PROPRIETARY_MODULE);
        assertThat(taint.unknownBits()).isEqualTo(1L << 19);
    }

    @Test
    void every_letter_maps_back_to_its_flag_and_bits_are_distinct() {
        for (TaintFlag f : TaintFlag.values()) {
            assertThat(TaintFlag.ofLetter(f.letter())).contains(f);
        }
        assertThat(java.util.Arrays.stream(TaintFlag.values()).mapToInt(TaintFlag::bit).distinct().count())
                .isEqualTo(TaintFlag.values().length);
        assertThat(TaintFlag.LIVEPATCH.meaning()).isEqualTo("livepatch loaded");
    }

    @Test
    void reads_the_hand_made_fixture_trees() {
        assertThat(Taints.read(fixture("handmade-4.x"))).map(Taint::letters).contains("OEK");
        assertThat(Taints.read(fixture("6.1"))).map(Taint::letters).contains("O");
        assertThat(Taints.read(fixture("6.12"))).map(Taint::value).contains(45056L);
    }

    @Test
    void a_missing_file_is_absent_and_garbage_is_a_clear_error(@TempDir Path dir) throws Exception {
        KernelRoot root = new KernelRoot(dir);
        assertThat(Taints.read(root)).isEmpty();

        Files.createDirectories(dir.resolve("proc/sys/kernel"));
        Files.writeString(dir.resolve("proc/sys/kernel/tainted"), "banana\n");
        assertThatThrownBy(() -> Taints.read(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/proc/sys/kernel/tainted").hasMessageContaining("banana");
    }

    @Test
    void a_taint_file_that_exists_but_cannot_be_read_is_an_error_not_absent(@TempDir Path dir) throws Exception {
        KernelRoot root = new KernelRoot(dir);
        // A directory in its place: open succeeds, read fails with EISDIR, like a procfs read error.
        Files.createDirectories(dir.resolve("proc/sys/kernel/tainted"));
        assertThatThrownBy(() -> Taints.read(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("/proc/sys/kernel/tainted");
    }

    @Test
    void the_host_kernel_taint_decodes_without_unknown_surprises_in_known_bits() {
        Taint host = Taints.read(KernelRoot.host()).orElseThrow();
        assertThat(host.value()).isEqualTo(host.flags().stream().mapToLong(TaintFlag::mask).sum() | host.unknownBits());
    }

    static KernelRoot fixture(String kernel) {
        return new KernelRoot(Path.of("src/test/resources/fixtures", kernel));
    }
}
