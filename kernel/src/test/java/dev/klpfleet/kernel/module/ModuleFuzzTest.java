package dev.klpfleet.kernel.module;

import static org.assertj.core.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Damaged modules: every truncation and many random corruptions of every fixture either inspect
 * or fail with {@link ModuleFormatException}; no other exception escapes. Seeds are fixed so a
 * failure reproduces.
 */
class ModuleFuzzTest {

    private static final int CORRUPTIONS_PER_FIXTURE = 500;

    @Test
    void everyTruncationIsAResultOrAFormatError() {
        for (String release : Fixtures.RELEASES) {
            for (String module : Fixtures.MODULES) {
                byte[] ko = Fixtures.bytes(release, module);
                for (int length = 0; length < ko.length; length++) {
                    expectResultOrFormatError(Arrays.copyOf(ko, length), release + "/" + module + " cut to " + length);
                }
            }
        }
    }

    @Test
    void randomCorruptionIsAResultOrAFormatError() {
        Random random = new Random(20240607);
        for (String release : Fixtures.RELEASES) {
            for (String module : Fixtures.MODULES) {
                byte[] ko = Fixtures.bytes(release, module);
                for (int i = 0; i < CORRUPTIONS_PER_FIXTURE; i++) {
                    byte[] damaged = ko.clone();
                    int edits = 1 + random.nextInt(4);
                    StringBuilder what = new StringBuilder(release + "/" + module);
                    for (int e = 0; e < edits; e++) {
                        int at = random.nextInt(damaged.length);
                        if (random.nextBoolean()) {
                            damaged[at] ^= (byte) (1 << random.nextInt(8));
                        } else {
                            damaged[at] = (byte) random.nextInt(256);
                        }
                        what.append(" @").append(at).append('=').append(damaged[at] & 0xff);
                    }
                    expectResultOrFormatError(damaged, what.toString());
                }
            }
        }
    }

    @Test
    void corruptedHeadersAndTablesAreAResultOrAFormatError() {
        // Random bytes rarely land in the 64-byte header or the section header table; aim there.
        Random random = new Random(7);
        for (String release : Fixtures.RELEASES) {
            byte[] ko = Fixtures.bytes(release, "klp_multi");
            int shoff = (int) java.nio.ByteBuffer.wrap(ko).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(40);
            for (int i = 0; i < 3000; i++) {
                byte[] damaged = ko.clone();
                int at = random.nextBoolean() ? random.nextInt(64) : shoff + random.nextInt(ko.length - shoff);
                damaged[at] = (byte) random.nextInt(256);
                expectResultOrFormatError(damaged, release + " @" + at + "=" + (damaged[at] & 0xff));
            }
        }
    }

    private static void expectResultOrFormatError(byte[] bytes, String what) {
        try {
            ModuleInspector.inspect(bytes);
        } catch (ModuleFormatException expected) {
            if (expected.getMessage() == null || expected.getMessage().isBlank() || expected.getMessage().contains("\n")) {
                fail(what + ": format error without a one-line reason");
            }
        } catch (RuntimeException | Error e) {
            throw new AssertionError(what + ": " + e, e);
        }
    }
}
