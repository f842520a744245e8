package dev.klpfleet.server.rollout;

import dev.klpfleet.protocol.outcome.ApplyResult;
import dev.klpfleet.protocol.outcome.HealthKind;
import dev.klpfleet.protocol.outcome.UnloadResult;
import dev.klpfleet.server.rollout.core.Command;
import dev.klpfleet.server.rollout.core.HostProgress;
import dev.klpfleet.server.rollout.core.HostReport;
import dev.klpfleet.server.rollout.core.Phase;
import dev.klpfleet.server.rollout.core.Plan;
import dev.klpfleet.server.rollout.core.RolloutState;
import dev.klpfleet.server.rollout.core.Status;
import dev.klpfleet.server.rollout.core.Targeting;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/**
 * A simulated fleet driven against the decision core: each tick the clock moves, hosts told
 * to apply report results (some fail, stall, report a result the server does not know, crash or
 * go silent), hosts rolling back report unload results (some fail), and sometimes an operator
 * acts. The world is a pure function of the seed and the core's state, so replaying a seed
 * against a restarted core must give the same story.
 */
final class Scenario {
    static final Instant T0 = Instant.parse("2030-01-01T00:00:00Z");

    final long seed;
    final int hosts;
    final Plan plan;
    final int ticks;
    final boolean operatorActs;

    Scenario(long seed, int hosts, Plan plan, int ticks, boolean operatorActs) {
        this.seed = seed;
        this.hosts = hosts;
        this.plan = plan;
        this.ticks = ticks;
        this.operatorActs = operatorActs;
    }

    @Override
    public String toString() {
        return "Scenario{seed=" + seed + ", hosts=" + hosts + ", plan=" + plan + ", ticks=" + ticks + ", operatorActs=" + operatorActs + "}";
    }

    /** One tick's input to the core. */
    record Input(Instant now, Map<String, HostReport> reports, Optional<Command> command) {}

    RolloutState initial() {
        List<Targeting.Target> targets = new ArrayList<>();
        Random r = new Random(seed);
        for (int i = 0; i < hosts; i++) {
            targets.add(new Targeting.Target(String.format("h%03d", i), Map.of("tier", i % 4 == 0 ? "canary" : "prod"), r.nextInt(10) != 0));
        }
        return Targeting.initial("r1", plan, targets, T0);
    }

    /** Mostly applied; every other result, the one this server does not know included, now and then. */
    private static ApplyResult applyResult(Random r) {
        int roll = r.nextInt(40);
        if (roll < 32) {
            return ApplyResult.APPLIED;
        }
        ApplyResult[] all = ApplyResult.values();
        return all[r.nextInt(all.length)];
    }

    /** The world's reaction at tick {@code t}, given the state the core left after tick t-1. */
    Input input(int t, RolloutState state, Map<String, HostReport> world) {
        Random r = new Random(seed * 31 + t);
        Instant now = T0.plus(Duration.ofMinutes(t * 2L + r.nextInt(2)));
        Map<String, HostReport> next = new HashMap<>(world);
        for (HostProgress h : state.hosts().values()) {
            HostReport prev = world.getOrDefault(h.hostId(), HostReport.seen(T0));
            boolean silent = r.nextInt(60) == 0 || (prev.lastSeen() != null && prev.lastSeen().isBefore(now.minus(Duration.ofMinutes(3))) && r.nextBoolean());
            Instant seen = silent ? prev.lastSeen() : now;
            dev.klpfleet.protocol.outcome.Outcome result = prev.result();
            Instant resultAt = prev.resultAt();
            Map<String, Double> impact = prev.impact();
            Instant bad = prev.badHealthAt();
            boolean loaded = prev.patchLoaded();
            Integer attempt = prev.attempt();
            if (h.phase().applying() && !silent && r.nextInt(3) > 0) {
                result = applyResult(r);
                resultAt = now;
                // An agent stamps the attempt its desired set named; now and then an old one stamps none.
                attempt = r.nextInt(10) == 0 ? null : h.currentAttempt();
                impact = Map.of("insmod.ksoftirqdMaxDelayNanos", (double) r.nextInt(3_000_000),
                        "transition.retransSegs", (double) r.nextInt(12));
                loaded = result == ApplyResult.APPLIED;
            } else if ((h.phase() == Phase.ROLLING_BACK || h.phase() == Phase.ROLLBACK_FAILED) && !silent && r.nextBoolean()) {
                result = r.nextInt(4) > 0 ? UnloadResult.UNLOADED : UnloadResult.values()[r.nextInt(UnloadResult.values().length)];
                resultAt = now;
                loaded = result != UnloadResult.UNLOADED && r.nextBoolean();
            }
            if (h.phase() == Phase.APPLIED && r.nextInt(80) == 0) {
                bad = now;
            }
            next.put(h.hostId(), new HostReport(result, resultAt, impact, seen, loaded, bad == null ? null : HealthKind.OOPS, bad, attempt));
        }
        world.clear();
        world.putAll(next);
        Optional<Command> cmd = Optional.empty();
        if (operatorActs && r.nextInt(8) == 0) {
            cmd = Optional.of(switch (r.nextInt(5)) {
                case 0 -> new Command.Pause("alice", "looking");
                case 1 -> new Command.Resume("alice", "looked");
                case 2 -> new Command.Promote("alice", "hurry");
                case 3 -> new Command.Abort("alice", "stop");
                default -> new Command.Rollback("alice", "undo");
            });
        } else if (r.nextInt(4) == 0 && state.status() == Status.PAUSED) {
            cmd = Optional.of(new Command.Resume("bob", "acknowledged"));
        }
        return new Input(now, Map.copyOf(world), cmd);
    }
}
