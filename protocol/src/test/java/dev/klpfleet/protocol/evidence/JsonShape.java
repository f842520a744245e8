package dev.klpfleet.protocol.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The shape of a JSON document: every field path with the type of its value, values ignored.
 * Paths are dotted ({@code impact.insmod.retransSegs}); the elements of an array share the path
 * {@code name[]}, so a shape does not depend on how many blockers or log lines a run saw.
 */
public final class JsonShape {
    /** A null is how a document says "not measured here": it matches any type when shapes are compared. */
    public static final String NULL = "null";

    private JsonShape() {}

    /** Path to type ({@code string}, {@code number}, {@code boolean}, {@code object}, {@code array}, {@code null}). */
    public static SortedMap<String, String> of(JsonNode document) {
        SortedMap<String, String> shape = new TreeMap<>();
        walk("", document, shape);
        return shape;
    }

    /** The paths of several documents together; a path's type is the first non-null type seen. */
    public static SortedMap<String, String> union(Iterable<JsonNode> documents) {
        SortedMap<String, String> all = new TreeMap<>();
        for (JsonNode d : documents) {
            merge(all, of(d));
        }
        return all;
    }

    /**
     * What differs between an expected and an actual shape, one line per path: a path only one side
     * has, or two non-null types that differ. Empty when the shapes agree.
     */
    public static List<String> differences(Map<String, String> expected, Map<String, String> actual) {
        List<String> out = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(expected.keySet());
        paths.addAll(actual.keySet());
        for (String p : paths) {
            String e = expected.get(p);
            String a = actual.get(p);
            if (e == null) {
                out.add("+ " + p + " (" + a + "): not in the recording");
            } else if (a == null) {
                out.add("- " + p + " (" + e + "): recorded, now missing");
            } else if (!e.equals(a) && !e.equals(NULL) && !a.equals(NULL)) {
                out.add("~ " + p + ": recorded " + e + ", now " + a);
            }
        }
        return out;
    }

    private static void merge(SortedMap<String, String> into, Map<String, String> shape) {
        shape.forEach((p, t) -> into.merge(p, t, (old, now) -> old.equals(NULL) ? now : old));
    }

    private static void walk(String path, JsonNode node, SortedMap<String, String> shape) {
        if (!path.isEmpty()) {
            shape.merge(path, type(node), (old, now) -> old.equals(NULL) ? now : old);
        }
        if (node.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> f = it.next();
                walk(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), shape);
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                walk(path + "[]", element, shape);
            }
        }
    }

    private static String type(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT:
            case POJO:
                return "object";
            case ARRAY:
                return "array";
            case STRING:
            case BINARY:
                return "string";
            case NUMBER:
                return "number";
            case BOOLEAN:
                return "boolean";
            case NULL:
            case MISSING:
                return NULL;
        }
        throw new IllegalStateException("a JSON node of an unknown type: " + node.getNodeType());
    }
}
