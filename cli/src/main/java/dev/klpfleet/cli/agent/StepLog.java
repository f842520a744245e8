package dev.klpfleet.cli.agent;

import dev.klpfleet.agent.Action;
import dev.klpfleet.agent.Agent;
import dev.klpfleet.agent.Pass;
import dev.klpfleet.agent.state.ManagedPatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

/** Every step of a pass, and a failed pass, as one log event with the fleet fields (host, patch, version, rollout, outcome). */
final class StepLog {
    private static final Logger LOG = LoggerFactory.getLogger("dev.klpfleet.agent");

    private StepLog() {}

    static void log(Agent agent, Pass p) {
        String host = agent.state().hostId();
        for (Action a : p.actions()) {
            ManagedPatch m = a.patch() == null ? null : agent.state().managed().get(a.patch());
            LoggingEventBuilder b = LOG.atInfo().addKeyValue("host", host).addKeyValue("outcome", a.result()).addKeyValue("action", a.action());
            if (a.patch() != null) {
                b = b.addKeyValue("patch", a.patch()).addKeyValue("version", a.version());
            }
            if (m != null) {
                b = b.addKeyValue("rollout", m.rolloutId());
            }
            b.log("{} {} {}: {}", a.action(), a.patch() == null ? "" : a.patch() + " " + a.version(), a.result(), a.message());
        }
        if (p.error() != null) {
            LOG.atWarn().addKeyValue("host", host).addKeyValue("outcome", "failed").addKeyValue("error_kind", p.error())
                    .log("pass failed ({}): {}", p.error(), p.detail());
        }
    }
}
