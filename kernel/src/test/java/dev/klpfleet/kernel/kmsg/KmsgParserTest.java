package dev.klpfleet.kernel.kmsg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.kernel.Parsed;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KmsgParserTest {

    @Test
    void a_6_12_apply_log_parses_with_levels_sequence_timestamps_and_properties() throws Exception {
        Parsed<KmsgRecord> parsed = KmsgParser.parse(fixture("6.12"));

        assertThat(parsed.skipped()).isEmpty();
        assertThat(parsed.entries()).extracting(KmsgRecord::sequence).containsExactly(812L, 813L, 814L, 815L, 816L, 817L);
        KmsgRecord enabling = parsed.entries().get(2);
        assertThat(enabling.level()).isEqualTo(KmsgLevel.NOTICE);
        assertThat(enabling.fromKernel()).isTrue();
        assertThat(enabling.sinceBoot()).isEqualTo(Duration.ofNanos(48_213_550_000L));
        assertThat(enabling.message()).isEqualTo("livepatch: enabling patch 'livepatch_cmdline'");
        KmsgRecord virtio = parsed.entries().get(4);
        assertThat(virtio.properties()).isEqualTo(Map.of("SUBSYSTEM", "virtio", "DEVICE", "+virtio:virtio0"));
        assertThat(virtio.raw()).endsWith(" DEVICE=+virtio:virtio0");
    }

    @Test
    void extra_prefix_fields_such_as_caller_are_ignored() throws Exception {
        KmsgRecord signaling = KmsgParser.parse(fixture("6.1")).entries().get(3);

        assertThat(signaling.sequence()).isEqualTo(1204);
        assertThat(signaling.message()).isEqualTo("livepatch: signaling remaining tasks");
    }

    @Test
    void a_user_written_record_has_the_user_facility() {
        KmsgRecord r = KmsgParser.parse("13,99,5,-;klpfleet: mark x\n").entries().get(0);

        assertThat(r.facility()).isEqualTo(KmsgRecord.FACILITY_USER);
        assertThat(r.level()).isEqualTo(KmsgLevel.NOTICE);
        assertThat(r.fromKernel()).isFalse();
    }

    @Test
    void malformed_records_are_skipped_and_the_rest_kept() throws Exception {
        Parsed<KmsgRecord> parsed = KmsgParser.parse(fixture("handmade-4.x"));

        assertThat(parsed.entries()).extracting(KmsgRecord::sequence).containsExactly(533L, 534L, 535L, 536L, 538L);
        assertThat(parsed.skipped()).singleElement().satisfies(s -> {
            assertThat(s.lineNumber()).isEqualTo(5);
            assertThat(s.reason()).isEqualTo("no ';' between prefix and message");
        });
        assertThat(KmsgParser.parse(" ORPHAN=1\n6,x,1,-;m\n6,1;m\n").skipped()).extracting(s -> s.reason())
                .containsExactly("continuation line without a record",
                        "prefix holds a non-number: '6,x,1,-'",
                        "prefix is not 'PRIORITY,SEQUENCE,TIMESTAMP,FLAGS'");
    }

    @Test
    void the_livepatch_filter_keeps_core_lines_and_lines_naming_the_patch_module() throws Exception {
        List<KmsgRecord> records = KmsgParser.parse(fixture("6.12")).entries();

        List<KmsgRecord> lines = records.stream().filter(LivepatchLines.concerning(List.of("livepatch-cmdline"))).toList();

        assertThat(lines).extracting(KmsgRecord::sequence).containsExactly(812L, 813L, 814L, 815L, 817L);
    }

    @Test
    void module_names_match_whole_words_only() {
        List<KmsgRecord> records = KmsgParser.parse("""
                6,1,1,-;foo_bar: hello
                6,2,1,-;foo: hello
                6,3,1,-;klp_enable_patch called
                6,4,1,-;unrelated
                """).entries();

        assertThat(records.stream().filter(LivepatchLines.concerning(List.of("foo"))).toList())
                .extracting(KmsgRecord::sequence).containsExactly(2L, 3L);
    }

    static String fixture(String kernel) throws Exception {
        return Files.readString(Path.of("src/test/resources/fixtures", kernel, "kmsg/apply.txt"));
    }
}
