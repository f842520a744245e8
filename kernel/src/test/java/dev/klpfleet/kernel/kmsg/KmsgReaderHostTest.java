package dev.klpfleet.kernel.kmsg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.klpfleet.kernel.KernelRoot;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.InstantSource;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Runs against the host's real /dev/kmsg; needs root (writing injects records). */
class KmsgReaderHostTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Path DEVICE = Path.of(KmsgReader.PATH);

    @BeforeEach
    void needsAWritableKmsg() {
        assumeTrue(Files.isReadable(DEVICE) && Files.isWritable(DEVICE), "/dev/kmsg not readable and writable");
    }

    @Test
    void records_since_the_mark_are_exactly_the_lines_logged_after_it() throws Exception {
        String before = "klpfleet-test before " + UUID.randomUUID();
        String after1 = "klpfleet-test after-1 " + UUID.randomUUID();
        String after2 = "klpfleet-test after-2 " + UUID.randomUUID();
        inject(before);
        try (KmsgReader reader = KmsgReader.open(KernelRoot.host(), InstantSource.system())) {
            KmsgMark mark = reader.mark("test window", WAIT);
            inject(after1);
            inject(after2);

            KmsgWindow window = reader.collect(mark, WAIT);

            assertThat(window.complete()).isTrue();
            assertThat(window.records()).extracting(KmsgRecord::message).contains(after1, after2).doesNotContain(before);
            assertThat(window.records()).extracting(KmsgRecord::message).noneMatch(m -> m.startsWith("klpfleet: "));
            assertThat(window.records()).allSatisfy(r -> assertThat(r.sequence()).isGreaterThan(mark.sequence()));
            assertThat(window.records()).extracting(KmsgRecord::sequence).isSorted();
        }
    }

    @Test
    void collecting_again_keeps_earlier_records_and_adds_newer_ones() throws Exception {
        String first = "klpfleet-test first " + UUID.randomUUID();
        String second = "klpfleet-test second " + UUID.randomUUID();
        try (KmsgReader reader = KmsgReader.open(KernelRoot.host(), InstantSource.system())) {
            KmsgMark mark = reader.mark("twice", WAIT);
            inject(first);
            assertThat(reader.collect(mark, WAIT).records()).extracting(KmsgRecord::message).contains(first);
            inject(second);

            KmsgWindow again = reader.collect(mark, WAIT);

            assertThat(again.records()).extracting(KmsgRecord::message).contains(first, second);
        }
    }

    @Test
    void a_stale_mark_is_refused() throws Exception {
        try (KmsgReader reader = KmsgReader.open(KernelRoot.host(), InstantSource.system())) {
            KmsgMark old = reader.mark("old", WAIT);
            reader.mark("new", WAIT);

            assertThatThrownBy(() -> reader.collect(old, WAIT)).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void close_stops_the_reader_even_while_it_waits_for_a_record() throws Exception {
        KmsgReader reader = KmsgReader.open(KernelRoot.host(), InstantSource.system());
        reader.mark("close", WAIT);

        reader.close();

        assertThatThrownBy(() -> reader.mark("after close", Duration.ofMillis(200))).isInstanceOf(IOException.class);
    }

    @Test
    void the_host_log_has_increasing_sequence_numbers() throws Exception {
        try (KmsgReader reader = KmsgReader.open(KernelRoot.host(), InstantSource.system())) {
            KmsgMark first = reader.mark("one", WAIT);
            KmsgMark second = reader.mark("two", WAIT);

            assertThat(second.sequence()).isGreaterThan(first.sequence());
        }
    }

    private static void inject(String message) throws IOException {
        try (FileChannel w = FileChannel.open(DEVICE, StandardOpenOption.WRITE)) {
            w.write(ByteBuffer.wrap(("<14>" + message + "\n").getBytes(StandardCharsets.UTF_8)));
        }
    }
}
