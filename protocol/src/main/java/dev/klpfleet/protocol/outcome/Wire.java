package dev.klpfleet.protocol.outcome;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Wire-name lookup shared by the vocabularies: exact, case-sensitive names; the caller's unknown constant otherwise. */
final class Wire {
    private static final Map<Class<?>, Map<String, ?>> BY_WIRE = new ConcurrentHashMap<>();

    private Wire() {}

    static <E extends Enum<E>> E lookup(Class<E> type, String wire, E unknown) {
        if (wire == null) {
            return null;
        }
        @SuppressWarnings("unchecked")
        Map<String, E> names = (Map<String, E>) BY_WIRE.computeIfAbsent(type, t -> Stream.of(type.getEnumConstants())
                .filter(e -> e != unknown)
                .collect(Collectors.toUnmodifiableMap(Object::toString, Function.identity())));
        return names.getOrDefault(wire, unknown);
    }
}
