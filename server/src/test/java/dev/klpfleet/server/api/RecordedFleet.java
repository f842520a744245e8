package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A small fleet seeded through the real API with the evidence real agents recorded on real 6.1 and
 * 6.12 kernels: per kernel line three hosts, each reporting a different subset of that line's apply
 * recordings (and one unload), one host an apply result this server does not know. {@link #sent}
 * is what was reported, for tests to compute their expected figures from, independently of the server.
 */
final class RecordedFleet {
    /** Apply recordings: the document's {@code result} is the event's result. */
    static final List<String> APPLY = List.of("applied", "applied-already", "applied-replace", "stalled-reverted", "stalled-waiting",
            "revert-stalled", "refused", "refused-ftrace-off", "agent-stalled-waiting");
    static final String VERSION = "1";
    static final int HOSTS_PER_LINE = 3;

    /** One reported event: the host, its kernel, kind, patch, the result as sent, and the evidence document. */
    record Sent(String hostId, String hostname, String kernel, String kind, String patch, String result, JsonNode evidence) {}

    final List<Sent> sent = new ArrayList<>();
    final List<TestFleet.Host> hosts = new ArrayList<>();

    static RecordedFleet seed(TestFleet fleet) throws Exception {
        RecordedFleet f = new RecordedFleet();
        for (String line : List.of("6.1", "6.12")) {
            List<RecordedEvidence.Recording> applies = RecordedEvidence.all(RecordedEvidence.Kind.LOAD_RESULT).stream()
                    .filter(r -> r.line().equals(line) && APPLY.contains(r.name())).toList();
            String kernel = applies.get(0).document().path("kernelRelease").asText();
            for (int i = 0; i < HOSTS_PER_LINE; i++) {
                String hostname = "web-" + line.replace('.', '-') + "-" + i;
                TestFleet.Host host = fleet.enroll(hostname, kernel, Map.of("tier", i == 0 ? "canary" : "web"));
                f.hosts.add(host);
                host.checkin(null);
                int n = 0;
                for (int d = 0; d < applies.size(); d++) {
                    // Host i skips every third recording from its own offset, so counts differ per host and patch.
                    if ((d + i) % 3 == 0 && i > 0) {
                        continue;
                    }
                    JsonNode doc = applies.get(d).document();
                    f.report(host, hostname, kernel, "ev-" + (n++), "apply", doc.path("result").asText(), doc);
                }
                JsonNode unloaded = RecordedEvidence.load(line, "unloaded");
                f.report(host, hostname, kernel, "ev-" + (n++), "unload", "unloaded", unloaded);
                if (i == 1) {
                    // A newer agent's result: only the result differs from a real recording.
                    ObjectNode odd = RecordedEvidence.load(line, "applied").deepCopy();
                    odd.put("result", "half-applied");
                    f.report(host, hostname, kernel, "ev-" + n, "apply", "half-applied", odd);
                }
            }
        }
        return f;
    }

    private void report(TestFleet.Host host, String hostname, String kernel, String id, String kind, String result, JsonNode doc) throws Exception {
        String patch = doc.path("patch").asText();
        FleetClient.Answer a = host.report(id, kind, patch, VERSION, result, doc);
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        sent.add(new Sent(host.id(), hostname, kernel, kind, patch, result, doc));
    }
}
