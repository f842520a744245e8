package dev.klpfleet.protocol.evidence;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonShapeTest {
    static final ObjectMapper JSON = new ObjectMapper();

    static JsonNode json(String s) throws Exception {
        return JSON.readTree(s);
    }

    @Test
    void a_shape_is_the_dotted_paths_with_their_types_array_elements_sharing_one_path() throws Exception {
        JsonNode d = json("{\"result\":\"applied\",\"timings\":{\"insmodMs\":3,\"revertMs\":null},"
                + "\"blockers\":[{\"pid\":1},{\"pid\":2,\"kthread\":true}],\"kernelLog\":[]}");
        assertThat(JsonShape.of(d)).containsExactlyEntriesOf(new java.util.TreeMap<>(Map.of(
                "blockers", "array", "blockers[]", "object", "blockers[].kthread", "boolean", "blockers[].pid", "number",
                "kernelLog", "array", "result", "string", "timings", "object", "timings.insmodMs", "number",
                "timings.revertMs", "null")));
    }

    @Test
    void values_do_not_matter_but_a_new_missing_or_retyped_path_does() throws Exception {
        var recorded = JsonShape.of(json("{\"a\":1,\"b\":{\"c\":\"x\"},\"d\":true}"));
        assertThat(JsonShape.differences(recorded, JsonShape.of(json("{\"a\":99,\"b\":{\"c\":\"y\"},\"d\":false}")))).isEmpty();
        assertThat(JsonShape.differences(recorded, JsonShape.of(json("{\"a\":\"1\",\"b\":{\"e\":\"x\"},\"d\":true}"))))
                .containsExactly("~ a: recorded number, now string", "- b.c (string): recorded, now missing",
                        "+ b.e (string): not in the recording");
    }

    @Test
    void a_null_matches_any_type_because_it_means_not_measured() throws Exception {
        assertThat(JsonShape.differences(JsonShape.of(json("{\"a\":null}")), JsonShape.of(json("{\"a\":5}")))).isEmpty();
        assertThat(JsonShape.differences(JsonShape.of(json("{\"a\":5}")), JsonShape.of(json("{\"a\":null}")))).isEmpty();
    }

    @Test
    void a_union_keeps_every_path_with_its_first_non_null_type() throws Exception {
        var u = JsonShape.union(List.of(json("{\"a\":null,\"b\":[]}"), json("{\"a\":3,\"b\":[\"x\"]}")));
        assertThat(u).containsEntry("a", "number").containsEntry("b[]", "string").hasSize(3);
    }
}
