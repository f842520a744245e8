package dev.klpfleet.protocol.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The committed recordings are complete and readable: the manifest names every document there is, and each loads. */
class RecordedEvidenceTest {

    @Test
    void the_manifest_lists_exactly_the_recorded_documents_on_the_classpath() throws Exception {
        Path root = Path.of(RecordedEvidence.class.getClassLoader().getResource("evidence").toURI());
        List<String> files;
        try (Stream<Path> all = Files.walk(root)) {
            files = all.filter(p -> p.toString().endsWith(".json")).map(p -> root.relativize(p).toString()).sorted().toList();
        }
        List<String> listed = RecordedEvidence.all().stream()
                .map(r -> r.resource().substring("evidence/".length())).sorted().toList();
        assertThat(listed).isEqualTo(files);
    }

    @Test
    void every_load_result_recording_says_how_it_ended_which_patch_and_which_kernel() {
        for (RecordedEvidence.Recording r : RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT)) {
            assertThat(r.document().path("result").isTextual()).as(r.resource()).isTrue();
            assertThat(r.document().path("patch").isTextual()).as(r.resource()).isTrue();
            assertThat(r.document().path("kernelRelease").asText()).as(r.resource()).startsWith(r.line() + ".");
        }
    }

    @Test
    void a_recording_that_is_not_there_is_a_clear_error() {
        assertThatThrownBy(() -> RecordedEvidence.load("6.12", "no-such-result"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("evidence/6.12/no-such-result.json");
    }
}
