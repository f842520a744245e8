package dev.klpfleet.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.time.Duration;

/**
 * The CLI's JSON conventions: records as objects with their component names, absent optionals as
 * null, enums in their wire form (their {@code toString}, e.g. {@code stalled-reverted}),
 * instants as ISO-8601 strings, durations as whole milliseconds.
 */
public final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            // Named, not found through ServiceLoader: scanning the jar's services costs start-up time.
            .registerModule(new com.fasterxml.jackson.datatype.jdk8.Jdk8Module())
            .registerModule(new com.fasterxml.jackson.datatype.jsr310.JavaTimeModule())
            .registerModule(new SimpleModule("klpfleet-durations").addSerializer(Duration.class, new MillisSerializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private Json() {}

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static final class MillisSerializer extends StdSerializer<Duration> {
        MillisSerializer() {
            super(Duration.class);
        }

        @Override
        public void serialize(Duration d, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeNumber(d.toMillis());
        }
    }
}
