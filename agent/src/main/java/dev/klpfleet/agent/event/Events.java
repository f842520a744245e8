package dev.klpfleet.agent.event;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.klpfleet.protocol.WireJson;
import dev.klpfleet.kernel.load.LoadResult;
import dev.klpfleet.kernel.load.Result;
import dev.klpfleet.kernel.load.Timings;
import dev.klpfleet.kernel.preflight.Check;
import dev.klpfleet.kernel.preflight.Verdict;
import dev.klpfleet.kernel.taint.Taint;
import dev.klpfleet.kernel.taint.TaintFlag;
import dev.klpfleet.protocol.artifact.Sha256;
import dev.klpfleet.protocol.fleet.HostEvent;
import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.EventKind;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.UnloadResult;
import java.nio.charset.StandardCharsets;
import dev.klpfleet.agent.crash.CrashGuard;
import dev.klpfleet.agent.state.LoadMark;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Builds the events the agent reports. Event ids are deterministic, derived from what the event is
 * about (kind, patch, version, artifact, rollout, the operation's attempt number): an event re-derived
 * after a crash carries the id of the one that may already have been sent, and the server answers
 * 409 "already recorded" instead of counting it twice.
 */
public final class Events {
    private Events() {}

    /** {@code KIND-PATCH-HASH}: readable in the server's event list, at most 128 characters. */
    public static String id(String kind, String patch, String version, String sha256, String rolloutId, int attempt) {
        String hash = Sha256.hex(String.join("\n", kind, patch, version, sha256, String.valueOf(rolloutId), String.valueOf(attempt))
                .getBytes(StandardCharsets.UTF_8)).substring(0, 20);
        String name = patch.length() > 64 ? patch.substring(0, 64) : patch;
        return kind + "-" + name + "-" + hash;
    }

    /** The apply event of a load that reached the kernel (or found the patch applied), with the load's result as evidence. */
    public static HostEvent apply(String eventId, String version, LoadResult r, Instant at) {
        return new HostEvent(eventId, EventKind.APPLY, r.patch(), version, applyResult(r.result()), at, evidence(r));
    }

    /**
     * As {@link #apply(String, String, LoadResult, Instant)}, the evidence stamped with the attempt
     * ({@code attempt: {number, notBefore, startedEarly, lastBlockers}}).
     */
    public static HostEvent apply(String eventId, String version, LoadResult r, Instant at, Attempt attempt) {
        return new HostEvent(eventId, EventKind.APPLY, r.patch(), version, applyResult(r.result()), at, evidence(r, attempt));
    }

    /** The load result as {@code kernel load --json} prints it, with the agent's {@code attempt} object added. */
    public static JsonNode evidence(LoadResult r, Attempt attempt) {
        ObjectNode ev = (ObjectNode) evidence(r);
        ev.set("attempt", WireJson.mapper().valueToTree(attempt));
        return ev;
    }

    /** The unload event, with the unload's result as evidence; "not loaded" counts as unloaded. */
    public static HostEvent unload(String eventId, String version, LoadResult r, Instant at) {
        return new HostEvent(eventId, EventKind.UNLOAD, r.patch(), version, unloadResult(r.result()), at, evidence(r));
    }

    /**
     * A refusal before the kernel was touched (the artifact failed verification): a {@code refused}
     * load result whose one failed check, {@code artifact}, says why.
     */
    public static LoadResult refusal(String patch, String sha256, String kernelRelease, String reason, String detail) {
        String message = "refused: artifact " + reason + ": " + detail;
        return new LoadResult(Result.REFUSED, patch, null, sha256, kernelRelease, message,
                List.of(new Check("artifact", Verdict.FAIL, reason + ": " + detail)),
                new Timings(null, null, null, null, null, 0L), List.of(), List.of(), List.of(), null);
    }

    /**
     * The health event for taint flags that appeared since the previous observation. The boot and
     * the mask identify it ({@code health-taint-BOOTID-MASK}): taint is sticky within a boot, so the
     * same mask on a later boot is a new event, not a 409. When the boot id is unreadable the
     * observation's instant stands in for it (the event is saved with the taint baseline in one
     * state write, so it is never re-derived after a crash and needs no stable id).
     */
    public static HostEvent taint(Taint now, Taint before, java.util.Optional<String> bootId, Instant at) {
        ObjectNode ev = WireJson.mapper().createObjectNode();
        ev.put("result", "taint");
        ev.put("taint", now.value());
        ev.put("previousTaint", before.value());
        var added = ev.putArray("addedBad");
        for (TaintFlag f : now.addedSince(before).bad()) {
            added.addObject().put("letter", String.valueOf(f.letter())).put("name", f.name()).put("meaning", f.meaning());
        }
        ev.put("message", "kernel taint gained " + now.addedSince(before).bad().stream()
                .map(f -> f.letter() + " (" + f.meaning() + ")").reduce((a, b) -> a + ", " + b).orElse("nothing bad"));
        String boot = bootId.orElse("at" + at.toEpochMilli());
        ev.put("bootId", bootId.orElse(null));
        return new HostEvent("health-taint-" + boot + "-" + now.value(), EventKind.HEALTH, null, null, HealthKind.TAINT, at, ev);
    }

    /**
     * The {@code crash-suspected} apply event of a load an earlier boot did not survive by the crash
     * window. Its id names the boot the load ran on, so the same finding re-derived is a 409 and a
     * crash on a later boot is a new event. The evidence is what the guard judged by.
     */
    public static HostEvent crashSuspected(CrashGuard.Finding.Suspect s, String bootId, String kernelRelease, Duration window, Instant at) {
        LoadMark m = s.mark();
        ObjectNode ev = WireJson.mapper().createObjectNode();
        ev.put("result", ApplyResult.CRASH_SUSPECTED.wire());
        ev.put("patch", m.patch());
        ev.put("version", m.version());
        ev.put("sha256", m.sha256());
        ev.put("rolloutId", m.rolloutId());
        ev.put("reason", s.reason());
        ev.put("previousBootId", m.bootId());
        ev.put("bootId", bootId);
        ev.put("kernelRelease", kernelRelease);
        ev.put("loadStartedAt", m.startedAt().toString());
        ev.put("loadCompletedAt", m.completedAt() == null ? null : m.completedAt().toString());
        ev.put("lastCheckinAt", s.lastCheckin().map(c -> c.at().toString()).orElse(null));
        ev.put("crashWindowSeconds", window.toSeconds());
        String when = s.reason().equals(CrashGuard.NEVER_COMPLETED) ? "while its load (started " + m.startedAt() + ") was in progress"
                : "within " + window.toSeconds() + " s of its load completing at " + m.completedAt()
                        + s.lastCheckin().map(c -> " (last check-in of that boot " + c.at() + ")").orElse(" (no check-in of that boot after it)");
        ev.put("message", "crash suspected: boot " + m.bootId() + " ended " + when + "; " + m.patch() + " " + m.version()
                + " is not loaded again until an operator clears it (klpfleet hosts clear-crash)");
        String id = id("crash", m.patch(), m.version(), m.sha256(), m.rolloutId() + "/" + m.bootId(), 0);
        return new HostEvent(id, EventKind.APPLY, m.patch(), m.version(), ApplyResult.CRASH_SUSPECTED, at, ev);
    }

    /**
     * The kernel room's result of a load, in the wire vocabulary. A load never ends unloaded or
     * not-loaded; if one ever did, it is reported as {@code unknown} (a failure), not hidden.
     */
    public static ApplyResult applyResult(Result r) {
        return switch (r) {
            case APPLIED -> ApplyResult.APPLIED;
            case REFUSED -> ApplyResult.REFUSED;
            case LOAD_FAILED -> ApplyResult.LOAD_FAILED;
            case STALLED_REVERTED -> ApplyResult.STALLED_REVERTED;
            case STALLED_WAITING -> ApplyResult.STALLED_WAITING;
            case REVERT_STALLED -> ApplyResult.REVERT_STALLED;
            case DISABLE_FAILED -> ApplyResult.DISABLE_FAILED;
            case RMMOD_FAILED -> ApplyResult.RMMOD_FAILED;
            case UNLOADED, NOT_LOADED -> ApplyResult.UNKNOWN;
        };
    }

    /**
     * The kernel room's result of an unload, in the wire vocabulary: "not loaded" is what the
     * unload wanted. An unload never ends refused, load-failed or applied; if one did, it is {@code unknown}.
     */
    public static UnloadResult unloadResult(Result r) {
        return switch (r) {
            case UNLOADED, NOT_LOADED -> UnloadResult.UNLOADED;
            case STALLED_REVERTED -> UnloadResult.STALLED_REVERTED;
            case STALLED_WAITING -> UnloadResult.STALLED_WAITING;
            case REVERT_STALLED -> UnloadResult.REVERT_STALLED;
            case DISABLE_FAILED -> UnloadResult.DISABLE_FAILED;
            case RMMOD_FAILED -> UnloadResult.RMMOD_FAILED;
            case APPLIED, REFUSED, LOAD_FAILED -> UnloadResult.UNKNOWN;
        };
    }

    /** The load result as {@code klpfleet kernel load --json} prints it. */
    public static JsonNode evidence(LoadResult r) {
        return WireJson.mapper().valueToTree(r);
    }
}
