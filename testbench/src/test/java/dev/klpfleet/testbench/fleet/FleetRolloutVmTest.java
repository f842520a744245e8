package dev.klpfleet.testbench.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.protocol.evidence.RecordedEvidence;
import dev.klpfleet.testbench.Fleet;
import dev.klpfleet.testbench.FleetServer;
import dev.klpfleet.testbench.KernelLine;
import dev.klpfleet.testbench.Kernels;
import dev.klpfleet.testbench.TestModules;
import dev.klpfleet.testbench.evidence.EvidenceRecorder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fleet loop on real kernels: one server on this host's loopback, three VMs (6.12, 6.1, 6.12)
 * each running {@code klpfleet agent} forever, and an operator using the CLI. One fleet is booted
 * for the whole class; the scenarios run in order on it, each leaving the fleet as the next expects.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FleetRolloutVmTest {
    static final String PATCHED = "klpfleet fix_cmdline: this has been live patched";
    static final List<String> KERNELS = List.of("6.12", "6.1");
    static final int VMS = 3;
    /** Bound on one rollout reaching the state a scenario waits for (two waves, TCG guests, a loaded machine). */
    static final Duration ROLLOUT_TIMEOUT = Duration.ofMinutes(4);
    /** How long the server stays dead in the restart scenario: longer than the agents' first backoffs. */
    static final Duration SERVER_AWAY = Duration.ofSeconds(15);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WAVES = "1,100%";

    Path work;
    Path repo;
    String enrollToken;
    FleetServer server;
    Fleet fleet;
    final Map<String, String> hostOf = new LinkedHashMap<>();
    HttpClient http;

    @BeforeAll
    void bootTheFleetAndBuildThePatches() throws Exception {
        work = Files.createTempDirectory("klpfleet-fleet");
        repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        FleetServer.host(List.of("keys", "generate", "--out", work.resolve("fleet").toString())).requireSuccess();
        FleetServer.host(List.of("keys", "generate", "--out", work.resolve("rogue").toString())).requireSuccess();
        // The server trusts both keys (a second signer, or a stolen key); the agents only the fleet's.
        Files.createDirectories(work.resolve("srv/keys"));
        Files.copy(work.resolve("rogue.pub"), work.resolve("srv/keys/rogue.pub"));
        server = new FleetServer(work.resolve("srv"), work.resolve("fleet.pub"), "fleet-admin-token-0123456789abcdef0123456789").start();
        // TLS as agents see it: the certificate the server made for itself, pinned by its fingerprint.
        http = HttpClient.newBuilder().sslContext(new dev.klpfleet.protocol.transport.ServerTrust.Pinned(
                dev.klpfleet.protocol.transport.Fingerprint.parse(server.fingerprint())).sslContext()).build();
        enrollToken = json(server.cli("hosts", "enrollment-token", "--name", "fleet", "--json").requireSuccess().stdout()).get("token").asText();

        // The patches are built before the fleet boots: TCG guests booting while the host's two
        // cores compile once lost their clock (uptime 31,567 s after minutes); see vm/boot-options.
        String releases = String.join(",", Kernels.release("6.12"), Kernels.release("6.1"));
        Path fix = repo.resolve("patchbuild/src/test/resources/patches/fix_cmdline");
        build(fix, releases, "out", "fleet.key", "1", List.of());
        build(fix, releases, "out-rogue", "rogue.key", "2", List.of());
        // klpf_target is out of tree: a modules.dep naming it lets the object-exists lint pass.
        Path symbols = Files.createDirectories(work.resolve("symbols"));
        for (String r : releases.split(",")) {
            Files.writeString(symbols.resolve("modules.dep-" + r), "extra/klpf_target.ko:\n");
            TestModules.forRelease(r).ko("klpf_target");
        }
        build(repo.resolve("testbench/modules/klpf_target_patch"), releases, "out-stall", "fleet.key", "1",
                List.of("--symbols", symbols.toString()));
        fleet = Fleet.up(new Fleet.Spec(work.resolve("fleet"), VMS, KERNELS,
                server.url(), enrollToken, work.resolve("fleet.pub"), 5, "--stall-timeout 5s", server.fingerprint()));
        for (JsonNode h : get("/api/v1/hosts")) {
            hostOf.put(h.get("hostname").asText(), h.get("id").asText());
        }
        assertThat(hostOf.keySet()).containsExactlyInAnyOrderElementsOf(fleet.vms());
        server.cli("patch", "upload", work.resolve("out").toString(), "--json").requireSuccess();
        server.cli("patch", "upload", work.resolve("out-rogue").toString(), "--json").requireSuccess();
        server.cli("patch", "upload", work.resolve("out-stall").toString(), "--json").requireSuccess();
    }

    @AfterAll
    void down() {
        if (fleet != null) {
            fleet.close();
        }
        if (server != null) {
            server.kill();
        }
    }

    @Test
    @Order(1)
    void every_vm_runs_its_kernel_and_its_agent_checked_in() {
        for (String vm : fleet.vms()) {
            String release = Kernels.release(fleet.kernel(vm));
            assertThat(exec(vm, "uname -r").strip()).isEqualTo(release);
            JsonNode host = get("/api/v1/hosts/" + hostOf.get(vm));
            assertThat(host.get("kernelRelease").asText()).isEqualTo(release);
            assertThat(host.get("hostLabels").get("vm").asText()).isEqualTo(vm);
        }
        // restrict=on: the host's other ports (ssh, the gateway) are out of reach; only the server forward answers.
        assertThat(fleet.exec("vm1", "curl -s -m 5 http://10.0.2.2:22/").exitCode()).isNotZero();
        assertThat(exec("vm1", "curl -sk -m 5 https://10.0.2.100:8440/healthz")).contains("ok");
    }

    @Test
    @Order(2)
    void a_good_patch_reaches_every_vm_through_the_waves_and_the_rollout_completes() {
        Map<String, Integer> before = countAll("enabling patch 'fix_cmdline'");
        String id = create("fix_cmdline", "1");
        JsonNode done = await(id, r -> r.get("status").asText().equals("COMPLETED"));
        assertThat(done.get("waves").get(0).get("applied").asInt()).isEqualTo(1);
        assertThat(done.get("waves").get(1).get("applied").asInt()).isEqualTo(VMS - 1);
        // The canary wave went first: its DISPATCH names one host, and the second wave's came after it.
        List<JsonNode> dispatches = decisions(done, "DISPATCH");
        assertThat(dispatches.get(0).get("wave").asInt()).isZero();
        assertThat(dispatches.get(0).get("hosts")).hasSize(1);
        assertThat(dispatches.get(dispatches.size() - 1).get("wave").asInt()).isEqualTo(1);
        for (String vm : fleet.vms()) {
            assertThat(exec(vm, "cat /proc/cmdline")).as(vm).contains(PATCHED);
            assertThat(exec(vm, "cat /sys/kernel/livepatch/fix_cmdline/enabled").strip()).as(vm).isEqualTo("1");
        }
        assertThat(countAll("enabling patch 'fix_cmdline'")).isEqualTo(plusOne(before));
    }

    @Test
    @Order(3)
    void rolling_the_good_patch_back_unloads_it_everywhere() {
        String id = latestRollout();
        server.cli("rollout", "rollback", id, "--reason", "fleet test rollback", "--json").requireSuccess();
        JsonNode r = await(id, x -> x.get("status").asText().equals("ROLLED_BACK") && rolledBack(x) == VMS);
        assertThat(rolledBack(r)).isEqualTo(VMS);
        for (String vm : fleet.vms()) {
            assertThat(exec(vm, "cat /proc/cmdline")).as(vm).doesNotContain(PATCHED);
            assertThat(exec(vm, "ls /sys/kernel/livepatch; cut -d' ' -f1 /proc/modules")).as(vm).doesNotContain("fix_cmdline");
        }
    }

    @Test
    @Order(4)
    void the_impact_gate_trips_on_the_canarys_real_evidence_and_rolls_it_back() throws IOException {
        // A threshold below any real transition: the canary's measured duration is over it.
        String id = create("fix_cmdline", "1", "--impact-max", "transition.elapsed=1", "--on-gate", "rollback");
        JsonNode r = await(id, x -> x.get("status").asText().equals("ROLLED_BACK") && rolledBack(x) == 1);
        String halt = r.get("haltReason").asText();
        Matcher m = Pattern.compile("host (h_\\w+) impact transition\\.elapsed=(\\d+(?:\\.\\d+)?) over its limit 1(\\.0)?\\b").matcher(halt);
        assertThat(m.find()).as(halt).isTrue();
        JsonNode evidence = JSON.readTree(sql("SELECT evidence_json FROM host_events WHERE host_id = '" + m.group(1)
                + "' AND kind = 'apply' AND result = 'applied' ORDER BY received_at DESC LIMIT 1").strip());
        assertThat(evidence.get("impact").get("transition").get("elapsed").asDouble()).isEqualTo(Double.parseDouble(m.group(2)));
        assertThat(decisions(r, "DISPATCH")).hasSize(1);
        for (String vm : fleet.vms()) {
            assertThat(exec(vm, "ls /sys/kernel/livepatch")).as(vm).doesNotContain("fix_cmdline");
        }
    }

    @Test
    @Order(5)
    void an_artifact_signed_by_a_key_the_agents_do_not_trust_is_refused_and_never_reaches_insmod() throws IOException {
        Map<String, Integer> before = countAll("fix_cmdline");
        String id = create("fix_cmdline", "2");
        JsonNode r = await(id, x -> x.get("status").asText().equals("PAUSED"));
        assertThat(r.get("haltReason").asText()).contains("fail");
        String canary = decisions(r, "DISPATCH").get(0).get("hosts").get(0).asText();
        JsonNode evidence = JSON.readTree(sql("SELECT evidence_json FROM host_events WHERE host_id = '" + canary
                + "' AND patch_version = '2' AND result = 'refused'").strip());
        assertThat(evidence.toString()).contains("artifact", "untrusted_key");
        // The kernel never heard of it: no new livepatch line in any VM's log.
        assertThat(countAll("fix_cmdline")).isEqualTo(before);
        server.cli("rollout", "abort", id, "--reason", "untrusted signer", "--json").requireSuccess();
    }

    @Test
    @Order(6)
    void with_the_server_killed_and_every_agent_killed_mid_apply_the_rollout_still_completes_applying_once() throws Exception {
        Map<String, Integer> before = countAll("enabling patch 'fix_cmdline'");
        // Each VM kills its agent (SIGKILL) as soon as the patch appears in sysfs: insmod done, transition under way.
        for (String vm : fleet.vms()) {
            exec(vm, "rm -f /tmp/agent-killed; nohup bash -c 'for i in $(seq 1 2400); do if [ -e /sys/kernel/livepatch/fix_cmdline ]; then "
                    + "kill -9 $(cat /run/klpfleet/agent.pid) && echo killed >/tmp/agent-killed; exit; fi; sleep 0.1; done' >/dev/null 2>&1 &");
        }
        String id = create("fix_cmdline", "1");
        await(id, x -> !decisions(x, "DISPATCH").isEmpty());
        server.kill();
        Thread.sleep(SERVER_AWAY.toMillis());
        server.start();
        JsonNode r = await(id, x -> x.get("status").asText().equals("COMPLETED"));
        for (String vm : fleet.vms()) {
            assertThat(exec(vm, "cat /tmp/agent-killed").strip()).as(vm + " agent killed mid-apply").isEqualTo("killed");
            assertThat(exec(vm, "cat /proc/cmdline")).as(vm).contains(PATCHED);
        }
        // Loaded once per VM, although every agent restarted mid-apply.
        assertThat(countAll("enabling patch 'fix_cmdline'")).isEqualTo(plusOne(before));
        // No decision repeated across the restart: seq without gaps, every host dispatched once.
        List<JsonNode> all = new ArrayList<>();
        r.get("decisions").forEach(all::add);
        for (int i = 0; i < all.size(); i++) {
            assertThat(all.get(i).get("seq").asInt()).isEqualTo(i + 1);
        }
        List<String> dispatched = new ArrayList<>();
        decisions(r, "DISPATCH").forEach(d -> d.get("hosts").forEach(h -> dispatched.add(h.asText())));
        assertThat(dispatched).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(hostOf.values());
        for (String host : hostOf.values()) {
            assertThat(sql("SELECT count(*) FROM host_events WHERE host_id = '" + host + "' AND kind = 'apply' AND result = 'applied'"
                    + " AND evidence_json LIKE '%fix_cmdline%' AND occurred_at >= " + createdAt(r)).strip()).as(host).isEqualTo("1");
        }
    }

    @Test
    @Order(7)
    void a_patch_stalling_on_the_canary_is_halted_by_the_stall_gate_and_no_other_vm_ever_loads_it() throws IOException {
        for (String vm : fleet.vms()) {
            Path ko = TestModules.forRelease(Kernels.release(fleet.kernel(vm))).ko("klpf_target");
            fleet.exec(vm, "insmod " + ko).requireSuccess();
        }
        String id = create("klpf_target_patch", "1");
        JsonNode r = await(id, x -> x.get("status").asText().equals("PAUSED"));
        assertThat(r.get("haltReason").asText()).contains("stall");
        assertThat(decisions(r, "DISPATCH")).hasSize(1);
        String canaryHost = decisions(r, "DISPATCH").get(0).get("hosts").get(0).asText();
        String canary = hostOf.entrySet().stream().filter(e -> e.getValue().equals(canaryHost)).findFirst().orElseThrow().getKey();
        JsonNode evidence = JSON.readTree(sql("SELECT evidence_json FROM host_events WHERE host_id = '" + canaryHost
                + "' AND patch_name = 'klpf_target_patch' AND result = 'stalled-reverted'").strip());
        assertThat(evidence.get("message").asText()).contains("klpf_sleeper", "klpf_target_wait");
        // The canary reversed it: the kernel runs what it ran before.
        assertThat(exec(canary, "cat /proc/klpf_target")).contains("target v0");
        assertThat(exec(canary, "cut -d' ' -f1 /proc/modules")).doesNotContain("klpf_target_patch");
        for (String vm : fleet.vms()) {
            if (!vm.equals(canary)) {
                assertThat(exec(vm, "cut -d' ' -f1 /proc/modules; dmesg")).as(vm).doesNotContain("klpf_target_patch");
            }
        }
        server.cli("rollout", "rollback", id, "--reason", "stalled on the canary", "--json").requireSuccess();
    }

    @Test
    @Order(8)
    void a_patch_that_crashes_the_canary_is_not_loaded_again_after_its_reboot_and_the_rollout_halts() throws IOException {
        String releases = String.join(",", Kernels.release("6.12"), Kernels.release("6.1"));
        build(repo.resolve("testbench/modules/klpf_panic_patch"), releases, "out-panic", "fleet.key", "1",
                List.of("--symbols", work.resolve("symbols").toString()));
        server.cli("patch", "upload", work.resolve("out-panic").toString(), "--json").requireSuccess();
        // klpf_target is loaded everywhere since the stall scenario; a long soak keeps the second wave waiting.
        String id = create("klpf_panic_patch", "1", "--soak", "PT30M");
        JsonNode applied = await(id, x -> x.get("waves").get(0).get("applied").asInt() == 1);
        String canaryHost = decisions(applied, "DISPATCH").get(0).get("hosts").get(0).asText();
        String canary = hostOf.entrySet().stream().filter(e -> e.getValue().equals(canaryHost)).findFirst().orElseThrow().getKey();

        Fleet.Exec crash = fleet.exec(canary, "cat /proc/klpf_target");
        assertThat(crash.exitCode()).as("the guest went down").isEqualTo(125);
        assertThat(fleet.consoleLog(canary)).contains("klpf_panic_patch: the patched klpf_target_show ran");
        fleet.reboot(canary);

        JsonNode r = await(id, x -> x.get("status").asText().equals("PAUSED"));
        assertThat(decisions(r, "DISPATCH")).hasSize(1);
        JsonNode evidence = JSON.readTree(sql("SELECT evidence_json FROM host_events WHERE host_id = '" + canaryHost
                + "' AND patch_name = 'klpf_panic_patch' AND result = 'crash-suspected'").strip());
        assertThat(evidence.toString()).contains("klpf_panic_patch");
        assertThat(exec(canary, "cut -d' ' -f1 /proc/modules")).as("not loaded again after the crash").doesNotContain("klpf_panic_patch");
        for (String vm : fleet.vms()) {
            if (!vm.equals(canary)) {
                assertThat(exec(vm, "cut -d' ' -f1 /proc/modules; dmesg")).as(vm).doesNotContain("klpf_panic_patch");
            }
        }
        server.cli("rollout", "rollback", id, "--reason", "crashed the canary", "--json").requireSuccess();
    }

    @Test
    @Order(9)
    void with_on_stall_wait_an_agent_reports_stalled_waiting_and_the_server_records_the_blocker() throws IOException {
        // A second agent in vm1 (its own --data, its own host at the server), selected by the label it claims.
        String agent2 = "bin/klpfleet agent --server https://10.0.2.100:8440 --server-fingerprint " + server.fingerprint()
                + " --data /tmp/agent2 --public-key /run/klpfleet/fleet.pub"
                + " --stall-timeout 2s --on-stall wait --once --json";
        fleet.exec("vm1", "cd " + repo + " && " + agent2 + " --enroll-token " + enrollToken + " --labels role=waiter").requireSuccess();
        String id = json(server.cli("rollout", "create", "--patch", "klpf_target_patch", "--version", "1", "--host-label", "role=waiter",
                "--waves", "1", "--soak", "PT0S", "--json").requireSuccess().stdout()).get("id").asText();
        await(id, x -> !decisions(x, "DISPATCH").isEmpty());
        // --once keeps passing (5 s apart) while the transition runs: in the background until it is ended below.
        fleet.exec("vm1", "cd " + repo + " && { nohup " + agent2 + " >/tmp/agent-stall.out 2>/tmp/agent-stall.err & }").requireSuccess();
        String event = awaitSql("SELECT evidence_json FROM host_events WHERE patch_name = 'klpf_target_patch' AND result = 'stalled-waiting'");
        assertThat(exec("vm1", "cat /sys/kernel/livepatch/klpf_target_patch/transition").strip())
                .as("the agent left the transition running, as asked").isEqualTo("1");
        JsonNode evidence = JSON.readTree(event);
        assertThat(evidence.get("result").asText()).isEqualTo("stalled-waiting");
        assertThat(evidence.get("message").asText()).contains("klpf_sleeper", "klpf_target_wait");
        JsonNode sleeper = null;
        for (JsonNode b : evidence.get("blockers")) {
            if (b.get("comm").asText().equals("klpf_sleeper")) {
                sleeper = b;
            }
        }
        assertThat(sleeper).as(evidence.toString()).isNotNull();
        assertThat(sleeper.get("patchState").asText()).isEqualTo("unpatched");
        assertThat(sleeper.get("functions").toString()).contains("klpf_target_wait [klpf_target]");
        JsonNode unload = json(exec("vm1", "cd " + repo + " && bin/klpfleet kernel unload klpf_target_patch --json 2>/dev/null"));
        assertThat(unload.get("result").asText()).isEqualTo("unloaded");

        EvidenceRecorder recorder = new EvidenceRecorder(repo, KernelLine.V6_12, getClass().getSimpleName())
                .add("agent-stalled-waiting", RecordedEvidence.Kind.LOAD_RESULT, "agent --on-stall wait in vm1 (the server's host_events)", evidence);
        recorder.save();
        // The committed recording predates issue 12's attempt stamp: its drift is known until re-recorded (not skipped
        // with an assumption, so the abort below still runs for the scenarios after this one).
        if (recorder.predates("/attempt")) {
            System.out.println("drift check skipped: " + recorder.predatesMessage("/attempt"));
        } else {
            assertThat(recorder.driftFromRecording()).as(EvidenceRecorder.describe(recorder.driftFromRecording())).isEmpty();
        }
        server.cli("rollout", "abort", id, "--reason", "stall left waiting, then unloaded", "--json").requireSuccess();
    }

    @Test
    @Order(10)
    void a_bad_taint_flag_becomes_the_forever_agents_health_event_at_the_server() throws IOException {
        // W (bit 9): writing kernel.tainted can only add flags. Last scenario: a tainted host trips later rollouts' health gate.
        fleet.exec("vm1", "echo 512 >/proc/sys/kernel/tainted").requireSuccess();
        JsonNode evidence = JSON.readTree(awaitSql("SELECT evidence_json FROM host_events WHERE host_id = '" + hostOf.get("vm1")
                + "' AND kind = 'health' AND event_id LIKE 'health-taint%'"));
        assertThat(evidence.get("addedBad").findValuesAsText("letter")).containsExactly("W");
        assertThat(evidence.get("taint").asLong() & 512).isEqualTo(512);
        assertThat(evidence.get("message").asText()).contains("W");
        EvidenceRecorder recorder = new EvidenceRecorder(repo, KernelLine.V6_12, getClass().getSimpleName() + "-health")
                .add("health-taint", RecordedEvidence.Kind.HEALTH_TAINT, "echo 512 > kernel.tainted in vm1 (the server's host_events)", evidence);
        recorder.save();
        assertThat(recorder.driftFromRecording()).as(EvidenceRecorder.describe(recorder.driftFromRecording())).isEmpty();
    }

    /** Polls the server's database until {@code query} returns a row (bounded by {@link #ROLLOUT_TIMEOUT}); returns it. */
    private String awaitSql(String query) {
        long deadline = System.nanoTime() + ROLLOUT_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            String out = sql(query).strip();
            if (!out.isEmpty()) {
                return out;
            }
            sleep(Duration.ofSeconds(1));
        }
        throw new AssertionError("nothing for " + query + " within " + ROLLOUT_TIMEOUT + "\n" + fleet.agentLog("vm1"));
    }

    // ---------------------------------------------------------------------------------------------

    private void build(Path source, String releases, String out, String key, String version, List<String> more) {
        List<String> argv = new ArrayList<>(List.of("build", "--source", source.toString(), "--kernel", releases,
                "--out", work.resolve(out).toString(), "--key", work.resolve(key).toString(), "--patch-version", version, "--jobs", "2"));
        argv.addAll(more);
        FleetServer.host(argv).requireSuccess();
    }

    private String create(String patch, String version, String... more) {
        List<String> argv = new ArrayList<>(List.of("rollout", "create", "--patch", patch, "--version", version, "--waves", WAVES,
                "--max-concurrent", "10"));
        argv.addAll(List.of(more));
        if (!argv.contains("--soak")) {
            argv.addAll(List.of("--soak", "PT0S"));
        }
        argv.add("--json");
        return json(server.cli(argv.toArray(String[]::new)).requireSuccess().stdout()).get("id").asText();
    }

    private String latestRollout() {
        return get("/api/v1/rollouts?limit=1").get(0).get("id").asText();
    }

    private JsonNode await(String id, Predicate<JsonNode> done) {
        long deadline = System.nanoTime() + ROLLOUT_TIMEOUT.toNanos();
        JsonNode last = null;
        while (System.nanoTime() < deadline) {
            try {
                last = get("/api/v1/rollouts/" + id);
                if (done.test(last)) {
                    return last;
                }
            } catch (RuntimeException serverAway) {
                // The restart scenario: the server is down for a while.
            }
            sleep(Duration.ofSeconds(1));
        }
        StringBuilder why = new StringBuilder("rollout " + id + " did not get there within " + ROLLOUT_TIMEOUT + ": " + last);
        for (String vm : fleet.vms()) {
            String log = fleet.agentLog(vm);
            why.append("\n--- ").append(vm).append(" agent log (tail) ---\n").append(log.substring(Math.max(0, log.length() - 3000)));
        }
        throw new AssertionError(why);
    }

    private static List<JsonNode> decisions(JsonNode rollout, String kind) {
        List<JsonNode> out = new ArrayList<>();
        rollout.get("decisions").forEach(d -> {
            if (d.get("kind").asText().equals(kind)) {
                out.add(d);
            }
        });
        return out;
    }

    private static int rolledBack(JsonNode rollout) {
        int n = 0;
        for (JsonNode w : rollout.get("waves")) {
            n += w.get("rolledBack").asInt();
        }
        return n;
    }

    private static long createdAt(JsonNode rollout) {
        return java.time.Instant.parse(rollout.get("createdAt").asText()).toEpochMilli();
    }

    /** How many lines of each VM's kernel log contain {@code text}. */
    private Map<String, Integer> countAll(String text) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (String vm : fleet.vms()) {
            out.put(vm, Integer.parseInt(fleet.exec(vm, "dmesg | grep -c \"" + text + "\" || true").output().strip()));
        }
        return out;
    }

    private static Map<String, Integer> plusOne(Map<String, Integer> counts) {
        Map<String, Integer> out = new LinkedHashMap<>();
        counts.forEach((k, v) -> out.put(k, v + 1));
        return out;
    }

    private String exec(String vm, String script) {
        return fleet.exec(vm, script).requireSuccess().output();
    }

    private String sql(String query) {
        try {
            Process p = new ProcessBuilder("sqlite3", work.resolve("srv/fleet.db").toString(), query).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("sqlite3 failed: " + out);
            }
            return out;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private JsonNode get(String path) {
        try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(server.url() + path)).timeout(Duration.ofSeconds(10))
                    .header("Authorization", "Bearer " + server.adminToken()).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("GET " + path + ": " + r.statusCode() + " " + r.body());
            }
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
