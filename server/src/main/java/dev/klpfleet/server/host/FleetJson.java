package dev.klpfleet.server.host;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.type.LogicalType;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/**
 * The server's JSON conventions for the API and stored documents: ISO-8601 instants; trailing
 * tokens, duplicate keys and wrong types refused (no coercion: {@code 5} is not a string, {@code "5"}
 * and {@code 1.9} are not integers). Unknown fields are ignored (the wire rule, docs/CLI.md), so an
 * agent or a stored row from a newer klpfleet is read, not refused; operator requests are read
 * with {@link #strictReader}, since an ignored field there would silently change what was asked.
 */
public final class FleetJson {
    /** Longest JSON string read: an upload's module in base64 (64 MiB of module is 85.4 MiB of text) and some slack. */
    public static final int MAX_STRING = 96 * 1024 * 1024;

    private static final ObjectMapper MAPPER = strict(JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).build())
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build())
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

    /** Refuses every scalar coercion: a number where a string belongs, a string or fraction where a number belongs. */
    private static ObjectMapper strict(ObjectMapper m) {
        for (LogicalType t : new LogicalType[] {LogicalType.Textual, LogicalType.Integer, LogicalType.Float, LogicalType.Boolean,
                LogicalType.Enum, LogicalType.DateTime}) {
            var c = m.coercionConfigFor(t);
            for (CoercionInputShape shape : new CoercionInputShape[] {CoercionInputShape.Integer, CoercionInputShape.Float,
                    CoercionInputShape.Boolean, CoercionInputShape.String, CoercionInputShape.EmptyString}) {
                c.setCoercion(shape, CoercionAction.Fail);
            }
        }
        // Natural shapes stay: text for strings, enums and instants; integers for integral numbers; any number for a fraction.
        m.coercionConfigFor(LogicalType.Textual).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.Enum).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.DateTime).setCoercion(CoercionInputShape.String, CoercionAction.TryConvert);
        m.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.Integer, CoercionAction.TryConvert);
        return m;
    }

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
