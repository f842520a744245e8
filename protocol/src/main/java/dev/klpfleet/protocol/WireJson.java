package dev.klpfleet.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Duration;

/**
 * The JSON conventions every klpfleet document follows, in one mapper: records by component name,
 * absent optionals as null, enums in their wire form (their {@code toString}, e.g.
 * {@code stalled-reverted}), ISO-8601 instants, durations in whole milliseconds. The CLI's
 * {@code --json} and the agent's events both use it, so the evidence an event carries is exactly
 * the {@code klpfleet kernel load --json} document. Reading is tolerant of fields a newer peer adds.
 */
public final class WireJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .registerModule(new Jdk8Module())
            .registerModule(new SimpleModule("klpfleet-durations").addSerializer(Duration.class, new MillisSerializer()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .enable(SerializationFeature.WRITE_ENUMS_USING_TO_STRING)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS);

    private WireJson() {}

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
