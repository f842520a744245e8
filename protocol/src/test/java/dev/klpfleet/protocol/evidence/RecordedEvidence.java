package dev.klpfleet.protocol.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Evidence documents the real agent code produced on real Debian kernels in the VM tests
 * ({@code klpfleet kernel load --json} / {@code kernel unload --json}, the agent's apply and unload
 * evidence), committed under {@code evidence/LINE/NAME.json} on this test classpath; see
 * {@code evidence/README.md} for where each came from and how to re-record them. Use these as test
 * fixtures instead of inventing fields.
 */
public final class RecordedEvidence {
    /** The list of recordings: one {@code LINE NAME KIND} a line, written by the recorder. */
    public static final String MANIFEST = "evidence/recordings.txt";

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedEvidence() {}

    /** What a recorded document is. */
    public enum Kind {
        /** a LoadResult: the evidence of an apply or unload event */
        LOAD_RESULT("load-result"),
        /** the evidence of the agent's health (taint) event */
        HEALTH_TAINT("health-taint"),
        /** the evidence of the agent's crash-suspected apply event, reported after the boot that followed a crash */
        CRASH_SUSPECTED("crash-suspected");

        private final String wire;

        Kind(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        static Kind of(String wire) {
            for (Kind k : values()) {
                if (k.wire.equals(wire)) {
                    return k;
                }
            }
            throw new IllegalStateException(MANIFEST + " names an unknown kind " + wire);
        }
    }

    /** One recorded document: {@code line} is the kernel line ({@code 6.1}, {@code 6.12}), {@code name} e.g. {@code applied}. */
    public record Recording(String line, String name, Kind kind, JsonNode document) {
        public String resource() {
            return RecordedEvidence.resource(line, name);
        }
    }

    /** The document recorded on {@code line} as {@code name}, e.g. {@code load("6.12", "stalled-waiting")}. */
    public static JsonNode load(String line, String name) {
        String resource = resource(line, name);
        try (InputStream in = stream(resource)) {
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(resource + " is not JSON", e);
        }
    }

    /** Every recording the manifest lists, in its order. */
    public static List<Recording> all() {
        List<Recording> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(stream(MANIFEST), StandardCharsets.UTF_8))) {
            for (String l = r.readLine(); l != null; l = r.readLine()) {
                if (l.isBlank() || l.startsWith("#")) {
                    continue;
                }
                String[] f = l.trim().split("\\s+");
                if (f.length != 3) {
                    throw new IllegalStateException(MANIFEST + ": not LINE NAME KIND: " + l);
                }
                out.add(new Recording(f[0], f[1], Kind.of(f[2]), load(f[0], f[1])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(MANIFEST, e);
        }
        return out;
    }

    /** The recordings of one kind, e.g. every LoadResult from both kernel lines. */
    public static List<Recording> all(Kind kind) {
        return all().stream().filter(r -> r.kind() == kind).toList();
    }

    /** The recordings whose {@code result} field is {@code result} (e.g. every {@code applied} document). */
    public static List<Recording> withResult(String result) {
        return all().stream().filter(r -> result.equals(r.document().path("result").asText(null))).toList();
    }

    static String resource(String line, String name) {
        return "evidence/" + line + "/" + name + ".json";
    }

    private static InputStream stream(String resource) {
        InputStream in = RecordedEvidence.class.getClassLoader().getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalArgumentException("no recorded evidence " + resource + " on the test classpath (see evidence/README.md)");
        }
        return in;
    }
}
