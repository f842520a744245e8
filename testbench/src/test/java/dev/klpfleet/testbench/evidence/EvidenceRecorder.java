package dev.klpfleet.testbench.evidence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.klpfleet.protocol.evidence.JsonShape;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.testbench.KernelLine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The evidence documents a VM test saw on a real kernel. Every run keeps a copy in
 * {@code testbench/target/evidence/LINE/}; with {@value #PROPERTY}{@code =true} (or the environment
 * variable {@value #ENV}{@code =1}) the run overwrites the committed recording in
 * {@code protocol/src/test/resources/evidence/LINE/}; otherwise {@link #driftFromRecording()} says
 * where the live documents' shape left the committed one.
 */
public final class EvidenceRecorder {
    public static final String PROPERTY = "klpfleet.recordEvidence";
    public static final String ENV = "KLPFLEET_RECORD_EVIDENCE";
    static final String HOW_TO_RERECORD = "mvn -B -o -pl testbench -am verify -D"
            + PROPERTY + "=true -Dtest='KernelCommandsOn*VmTest,FleetRolloutVmTest,AgentCrashLoopVmTest' -Dsurefire.failIfNoSpecifiedTests=false"
            + " (or " + ENV + "=1), then commit protocol/src/test/resources/evidence";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path repo;
    private final KernelLine line;
    private final String test;
    private final Map<String, Entry> entries = new LinkedHashMap<>();

    private record Entry(String name, RecordedEvidence.Kind kind, String step, JsonNode document) {}

    public EvidenceRecorder(Path repo, KernelLine line, String test) {
        this.repo = repo;
        this.line = line;
        this.test = test;
    }

    public static boolean recording() {
        return Boolean.getBoolean(PROPERTY) || "1".equals(System.getenv(ENV));
    }

    /** The document scenario step {@code step} printed, to be recorded as {@code name}. */
    public EvidenceRecorder add(String name, RecordedEvidence.Kind kind, String step, JsonNode document) {
        entries.put(name, new Entry(name, kind, step, document));
        return this;
    }

    /** Writes the run's copies under target and, when recording, over the committed recording. */
    public void save() throws IOException {
        write(repo.resolve("testbench/target/evidence").resolve(line.line()));
        if (recording()) {
            Path dir = committed();
            write(dir.resolve(line.line()));
            updateManifest(dir.resolve("recordings.txt"));
            Files.writeString(dir.resolve(line.line()).resolve("RECORDED-" + test + ".md"), provenance(), StandardCharsets.UTF_8);
        }
    }

    /** One line per path where a live document's shape differs from its committed recording; empty when recording. */
    public List<String> driftFromRecording() {
        List<String> out = new ArrayList<>();
        if (recording()) {
            return out;
        }
        for (Entry e : entries.values()) {
            Path file = committed().resolve(line.line()).resolve(e.name() + ".json");
            JsonNode recorded;
            try {
                recorded = JSON.readTree(Files.readString(file));
            } catch (NoSuchFileException missing) {
                out.add(line + "/" + e.name() + ".json: no recording yet");
                continue;
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
            for (String d : JsonShape.differences(JsonShape.of(recorded), JsonShape.of(e.document()))) {
                out.add(line + "/" + e.name() + ".json (step " + e.step() + "): " + d);
            }
        }
        return out;
    }

    /**
     * Whether the committed recordings of this run's entries all lack {@code pointer} (e.g.
     * {@code /impact/pinning}): they were recorded before that field existed, so their drift is
     * known and only re-recording (on a VM) clears it. False when recording.
     */
    public boolean predates(String pointer) {
        if (recording() || entries.isEmpty()) {
            return false;
        }
        for (Entry e : entries.values()) {
            Path file = committed().resolve(line.line()).resolve(e.name() + ".json");
            try {
                if (!JSON.readTree(Files.readString(file)).at(pointer).isMissingNode()) {
                    return false;
                }
            } catch (NoSuchFileException missing) {
                return false;
            } catch (IOException ex) {
                throw new UncheckedIOException(ex);
            }
        }
        return true;
    }

    /** Why a drift check is skipped: the recordings predate {@code pointer}. */
    public String predatesMessage(String pointer) {
        return line + " recordings predate " + pointer + " (issue 12: impact.pinning, advice, blockers[].state, the agent's attempt);"
                + " re-record: " + HOW_TO_RERECORD;
    }

    /** A failure message for {@link #driftFromRecording()}. */
    public static String describe(List<String> drift) {
        return "the evidence documents' shape drifted from the recording:\n  " + String.join("\n  ", drift)
                + "\nif the change is intended, re-record: " + HOW_TO_RERECORD;
    }

    private Path committed() {
        return repo.resolve("protocol/src/test/resources/evidence");
    }

    private void write(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (Entry e : entries.values()) {
            Files.writeString(dir.resolve(e.name() + ".json"), JSON.writeValueAsString(e.document()) + "\n", StandardCharsets.UTF_8);
        }
    }

    /** Replaces the entries of the names recorded now on this line; the other recordings stay. */
    private void updateManifest(Path manifest) throws IOException {
        List<String> kept = new ArrayList<>();
        if (Files.exists(manifest)) {
            for (String l : Files.readAllLines(manifest)) {
                String[] f = l.trim().split("\\s+");
                boolean replaced = f.length == 3 && f[0].equals(line.line()) && entries.containsKey(f[1]);
                if (!replaced) {
                    kept.add(l);
                }
            }
        } else {
            kept.add("# LINE NAME KIND: evidence/LINE/NAME.json, written by the VM tests (testbench EvidenceRecorder)");
        }
        for (Entry e : entries.values()) {
            kept.add(line.line() + " " + e.name() + " " + e.kind().wire());
        }
        Files.write(manifest, kept, StandardCharsets.UTF_8);
    }

    private String provenance() {
        StringBuilder b = new StringBuilder();
        b.append("Recorded by testbench ").append(test).append(" on Debian kernel ").append(line.release())
                .append(" (qemu TCG guest), ").append(Instant.now().truncatedTo(ChronoUnit.SECONDS)).append(".\n\n");
        b.append("| file | scenario step | result |\n|---|---|---|\n");
        for (Entry e : entries.values()) {
            b.append("| ").append(e.name()).append(".json | ").append(e.step()).append(" | ")
                    .append(e.document().path("result").asText()).append(" |\n");
        }
        b.append("\nRe-record with: ").append(HOW_TO_RERECORD).append(".\n");
        return b.toString();
    }
}
