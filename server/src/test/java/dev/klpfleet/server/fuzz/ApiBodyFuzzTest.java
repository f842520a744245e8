package dev.klpfleet.server.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.klpfleet.protocol.fleet.CheckinRequest;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.server.api.Bounds;
import dev.klpfleet.server.api.Call;
import dev.klpfleet.server.host.Checkins;
import dev.klpfleet.server.host.EventStore;
import dev.klpfleet.server.patch.ArtifactUpload;
import dev.klpfleet.server.rollout.RolloutRequest;
import java.util.Map;

/**
 * Coverage-guided fuzzing (Jazzer) of what the API does with a request body before it touches storage: the
 * strict JSON reading of host requests (enroll, check-in, event) and operator requests (rollout, upload), then
 * the field bounds the routes check. Any bytes must end as a value or a {@link Call.BadRequest} (a 400), never
 * another exception (a 500 and a stack trace in the log).
 */
class ApiBodyFuzzTest {
    @FuzzTest(maxDuration = "6s")
    void anyBody(FuzzedDataProvider in) {
        int which = in.consumeInt(0, 4);
        Call c = new Call(Map.of(), Map.of(), null, in.consumeRemainingAsBytes(), null);
        try {
            switch (which) {
                case 0 -> {
                    EnrollRequest r = c.wire(EnrollRequest.class);
                    Bounds.first(Bounds.hostname("hostname", r.hostname()), Bounds.kernelRelease("kernelRelease", r.kernelRelease()),
                            Bounds.text("distro", r.distro()), Bounds.labels("labels", r.labels()), Bounds.list("capabilities", r.capabilities(), 64));
                }
                case 1 -> {
                    CheckinRequest r = c.wire(CheckinRequest.class);
                    Bounds.first(Checkins.problem(r), Bounds.kernelRelease("kernelRelease", r.kernelRelease()), Bounds.list("loaded", r.loaded(), 64));
                }
                case 2 -> {
                    HostEvent e = c.wire(HostEvent.class);
                    Bounds.first(EventStore.problem(e), Bounds.instant("occurredAt", e.occurredAt()), Bounds.text("patch", e.patch()));
                }
                case 3 -> c.json(RolloutRequest.class);
                default -> c.json(ArtifactUpload.class);
            }
        } catch (Call.BadRequest expected) {
            // A 400 with the parser's reason.
        }
    }
}
