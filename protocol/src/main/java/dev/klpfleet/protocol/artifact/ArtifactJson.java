package dev.klpfleet.protocol.artifact;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The one JSON form of artifact files: pretty-printed UTF-8, keys in record order, a trailing
 * newline. Signatures cover these exact bytes, so nothing else may re-serialize a manifest
 * before verifying it.
 */
final class ArtifactJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            // Newer writers may add fields; the signature still covers the bytes as written.
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private ArtifactJson() {}

    static byte[] write(Object value) {
        try {
            return (MAPPER.writeValueAsString(value) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render " + value.getClass().getSimpleName(), e);
        }
    }

    static <T> T read(byte[] bytes, Class<T> type, String what) {
        try {
            T value = MAPPER.readValue(bytes, type);
            if (value == null) {
                throw new MalformedArtifactException(what + " is empty");
            }
            return value;
        } catch (IOException | RuntimeException e) {
            if (e instanceof MalformedArtifactException m) {
                throw m;
            }
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new MalformedArtifactException(what + " is not valid JSON of its format: " + why, e);
        }
    }
}
