package dev.klpfleet.agent.event;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.kernel.impact.ImpactDelta;
import dev.klpfleet.kernel.load.Impact;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.load.Timings;
import dev.klpfleet.kernel.preflight.Check;
import dev.klpfleet.kernel.preflight.Verdict;
import dev.klpfleet.kernel.task.PatchState;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.kernel.transition.Blocker;
import dev.klpfleet.protocol.evidence.JsonShape;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/**
 * The agent's apply/unload evidence document keeps the shape of the documents recorded on real
 * kernels (protocol's evidence/): a field added, renamed or retyped in LoadResult or its parts
 * fails here, without a VM, until the recordings are re-recorded (evidence/README.md).
 */
class EvidenceShapeTest {

    @Test
    void a_fully_populated_load_result_has_exactly_the_field_paths_of_the_recorded_documents() {
        List<JsonNode> recorded = RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT).stream()
                .map(RecordedEvidence.Recording::document).toList();
        assertThat(recorded).as("recorded load results").isNotEmpty();

        SortedMap<String, String> live = JsonShape.of(Events.evidence(everyFieldSet()));
        List<String> drift = JsonShape.differences(JsonShape.union(recorded), live);
        if (recorded.stream().allMatch(d -> d.at("/impact/pinning").isMissingNode())) {
            // Recorded before issue 12 added these fields; only a VM run can re-record them (README in the
            // evidence directory). Until then exactly these additions are known, and nothing else may drift.
            drift = drift.stream().filter(d -> !(d.startsWith("+ advice ") || d.startsWith("+ blockers[].state ")
                    || d.startsWith("+ impact.pinning"))).toList();
        }

        assertThat(drift).as("LoadResult's JSON left the recorded shape:\n  " + String.join("\n  ", drift)
                + "\nre-record the evidence (protocol/src/test/resources/evidence/README.md) if this is intended").isEmpty();
    }

    @Test
    void the_taint_health_event_has_exactly_the_field_paths_of_the_recorded_document() {
        List<JsonNode> recorded = RecordedEvidence.all(RecordedEvidence.Kind.HEALTH_TAINT).stream()
                .map(RecordedEvidence.Recording::document).toList();
        assertThat(recorded).as("recorded health events").isNotEmpty();

        // W (warning, bit 9) on top of the K, O, E a livepatch sets: what the real-kernel test provoked.
        HostEvent e = Events.taint(Taint.decode(45056L | (1L << 9)), Taint.decode(45056L),
                java.util.Optional.of("2360dbb8-a3e9-4b01-9317-1e7f78a44816"), java.time.Instant.parse("2026-12-01T21:00:00Z"));
        List<String> drift = JsonShape.differences(JsonShape.union(recorded), JsonShape.of(e.evidence()));

        assertThat(drift).as("the taint event's evidence left the recorded shape:\n  " + String.join("\n  ", drift)
                + "\nre-record the evidence (protocol/src/test/resources/evidence/README.md) if this is intended").isEmpty();
    }

    @Test
    void the_crash_suspected_event_has_exactly_the_field_paths_of_the_recorded_document() {
        List<JsonNode> recorded = RecordedEvidence.all(RecordedEvidence.Kind.CRASH_SUSPECTED).stream()
                .map(RecordedEvidence.Recording::document).toList();
        assertThat(recorded).as("recorded crash-suspected events").isNotEmpty();

        java.time.Instant loaded = java.time.Instant.parse("2026-12-01T21:00:00Z");
        var mark = new dev.klpfleet.agent.state.LoadMark("fix_cmdline", "1", "ab".repeat(32), "r_1", "8544ed89-cbbd-4941-98c9-a03402faf5a1",
                loaded.minusSeconds(70), loaded);
        var suspect = new dev.klpfleet.agent.crash.CrashGuard.Finding.Suspect(mark, dev.klpfleet.agent.crash.CrashGuard.WITHIN_WINDOW,
                java.util.Optional.of(new dev.klpfleet.agent.state.BootCheckin(mark.bootId(), loaded.plusSeconds(12))));
        HostEvent e = Events.crashSuspected(suspect, "2360dbb8-a3e9-4b01-9317-1e7f78a44816", "6.12.117+deb12-amd64",
                Duration.ofMinutes(10), loaded.plusSeconds(400));
        List<String> drift = JsonShape.differences(JsonShape.union(recorded), JsonShape.of(e.evidence()));

        assertThat(drift).as("the crash-suspected event's evidence left the recorded shape:\n  " + String.join("\n  ", drift)
                + "\nre-record the evidence (protocol/src/test/resources/evidence/README.md) if this is intended").isEmpty();
    }

    @Test
    void the_recordings_hold_both_kernel_lines_and_the_results_the_gates_judge() {
        List<RecordedEvidence.Recording> all = RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT);
        assertThat(all).extracting(RecordedEvidence.Recording::line).contains("6.1", "6.12");
        for (String line : List.of("6.1", "6.12")) {
            assertThat(all.stream().filter(r -> r.line().equals(line)).map(r -> r.document().get("result").asText()))
                    .as("results recorded on " + line)
                    .contains("applied", "unloaded", "stalled-reverted", "stalled-waiting", "refused");
        }
    }

    @Test
    void every_recorded_result_maps_to_a_known_wire_outcome() {
        for (RecordedEvidence.Recording r : RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT)) {
            Result kernel = kernelResult(r.document().get("result").asText());
            assertThat(kernel).as(r.resource()).isNotNull();
        }
    }

    private static Result kernelResult(String wire) {
        for (Result r : Result.values()) {
            if (r.toString().equals(wire)) {
                return r;
            }
        }
        return null;
    }

    /** Every field non-null and every list non-empty, so each path the type can produce appears once. */
    private static LoadResult everyFieldSet() {
        ImpactDelta delta = new ImpactDelta(Duration.ofMillis(1200), 1, 2, OptionalLong.of(3), OptionalLong.of(4),
                OptionalLong.of(5), OptionalLong.of(6), OptionalLong.of(7));
        Blocker blocker = new Blocker(10, 11, "klpf_sleeper", true, PatchState.UNPATCHED,
                List.of("klpf_target_wait+0x10/0x20 [klpf_target]"), List.of("klpf_target_wait [klpf_target]"), "I");
        dev.klpfleet.kernel.pin.Pinning pinning = new dev.klpfleet.kernel.pin.Pinning(1, "CPU 1 ran the fewest", 200L, List.of(0, 1),
                List.of(40L, 3L), List.of(12L, 9L), "1");
        return new LoadResult(Result.STALLED_REVERTED, "p", "/m/p.ko", "ab".repeat(32), "6.12.0", "stalled",
                List.of(new Check("vermagic", Verdict.PASS, "matches")), new Timings(1L, 2L, 3L, 4L, 5L, 6L),
                List.of(blocker), List.of("q"), List.of("livepatch: enabling patch 'p'"), new Impact(delta, delta, pinning),
                // Empty: no real kernel of the VM tests produces advice (6.1/6.12 signal by themselves, and the test
                // modules' kthreads sleep), so no recording holds an advice line to compare one with.
                List.of());
    }
}
