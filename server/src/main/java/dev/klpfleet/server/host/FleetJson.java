package dev.klpfleet.server.host;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The server's JSON conventions for the API and stored documents: ISO-8601 instants, trailing
 * tokens and wrong types refused. Unknown fields are ignored (the wire rule, docs/CLI.md), so an
 * agent or a stored row from a newer klpfleet is read, not refused; operator requests are read
 * with {@link #strictReader}, since an ignored field there would silently change what was asked.
 */
public final class FleetJson {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(SerializationFeature.WRITE_DURATIONS_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** One reader per type, so parsing a request does not look its type up again. */
    private static final ClassValue<ObjectReader> READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return MAPPER.readerFor(type);
        }
    };

    /** As {@link #READERS}, refusing unknown fields. */
    private static final ClassValue<ObjectReader> STRICT_READERS = new ClassValue<>() {
        @Override
        protected ObjectReader computeValue(Class<?> type) {
            return MAPPER.readerFor(type).with(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        }
    };

    private FleetJson() {}

    /** A reader of {@code type} with these conventions: what a host sends (check-in, event, enrollment). */
    public static ObjectReader reader(Class<?> type) {
        return READERS.get(type);
    }

    /** A reader of {@code type} that also refuses unknown fields: what an operator sends. */
    public static ObjectReader strictReader(Class<?> type) {
        return STRICT_READERS.get(type);
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize " + value.getClass().getSimpleName() + ": " + e.getOriginalMessage(), e);
        }
    }

    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored " + type.getSimpleName() + " is unreadable: " + e.getOriginalMessage(), e);
        }
    }
}
