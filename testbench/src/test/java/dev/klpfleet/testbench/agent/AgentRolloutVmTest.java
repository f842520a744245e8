package dev.klpfleet.testbench.agent;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.klpfleet.testbench.KernelLine;
import dev.klpfleet.testbench.Vm;
import dev.klpfleet.testbench.VmRun;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The host agent on a real 6.12 kernel, end to end: the patch is built and signed on the host,
 * then one guest runs a klpfleet server on its own loopback, uploads the build, rolls it out to
 * one host at a time, and {@code klpfleet agent --once} enrolls, downloads, verifies and loads it
 * ({@code /proc/cmdline} changes); after a rollback the next {@code --once} unloads it
 * ({@code /proc/cmdline} is restored) and the rollout counts the host rolled back.
 */
@Tag("vm")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentRolloutVmTest {
    static final String PATCHED = "klpfleet fix_cmdline: this has been live patched";
    static final Duration BUILD_TIMEOUT = Duration.ofMinutes(5);
    static final ObjectMapper JSON = new ObjectMapper();

    Path share;
    VmRun run;

    @BeforeAll
    void buildSignAndRunTheRoundTripInAGuest() throws Exception {
        Path repo = Path.of(System.getProperty("klpfleet.testbench")).toAbsolutePath().getParent();
        share = Files.createTempDirectory("klpfleet-agent-vm");
        String release = KernelLine.V6_12.release();
        host(repo, "keys", "generate", "--out", share.resolve("fleet").toString());
        host(repo, "build", "--source", repo.resolve("patchbuild/src/test/resources/patches/fix_cmdline").toString(),
                "--kernel", release, "--out", share.resolve("out").toString(), "--key", share.resolve("fleet.key").toString(),
                "--patch-version", "1", "--jobs", "1");
        try (InputStream in = getClass().getResourceAsStream("/scenarios/agent-rollout.sh")) {
            Files.copy(in, share.resolve("agent-rollout.sh"));
        }
        run = Vm.boot(KernelLine.V6_12).share(share, "/share").timeout(Duration.ofMinutes(12))
                .run(List.of("bash", "/share/agent-rollout.sh", repo.toString(), "/share"));
        assertThat(run.exitCode()).as(run.describe()).isZero();
    }

    @Test
    void the_agent_enrolls_and_with_nothing_desired_does_nothing() {
        assertThat(rc("upload")).as(err("upload")).isZero();
        assertThat(rc("agent-enroll")).as(err("agent-enroll")).isZero();
        JsonNode enroll = json("agent-enroll");
        assertThat(enroll.get("enrolled").asBoolean()).isTrue();
        assertThat(enroll.get("hostId").asText()).isNotBlank();
        assertThat(enroll.get("steps")).isEmpty();
        assertThat(enroll.get("outcome").asText()).isEqualTo("idle");
    }

    @Test
    void a_rolled_out_patch_is_downloaded_verified_and_loaded_for_real_and_reported() {
        assertThat(rc("rollout-create")).as(err("rollout-create")).isZero();
        assertThat(saved("dispatched.rc").strip()).as("the engine dispatched the host").isEqualTo("0");
        assertThat(rc("agent-apply")).as(out("agent-apply") + err("agent-apply")).isZero();
        JsonNode apply = json("agent-apply");
        JsonNode step = apply.get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("load");
        assertThat(step.get("patch").asText()).isEqualTo("fix_cmdline");
        assertThat(step.get("result").asText()).isEqualTo("applied");
        assertThat(step.get("evidence").get("result").asText()).isEqualTo("applied");
        assertThat(step.get("evidence").get("kernelLog").toString()).contains("patching complete");
        assertThat(apply.get("steps")).hasSize(1);
        assertThat(apply.get("outcome").asText()).isEqualTo("idle");

        assertThat(saved("cmdline-before")).doesNotContain(PATCHED);
        assertThat(saved("cmdline-patched")).contains(PATCHED);
        assertThat(saved("sysfs-patched")).contains("fix_cmdline");
        assertThat(saved("applied.rc").strip()).as("the rollout counted the host applied").isEqualTo("0");
    }

    @Test
    void running_the_agent_again_changes_nothing() {
        assertThat(rc("agent-apply-again")).isZero();
        assertThat(out("agent-apply-again")).contains("no steps", "DONE");
    }

    @Test
    void after_a_rollback_the_agent_unloads_the_patch_and_the_rollout_shows_it() {
        assertThat(rc("rollback")).as(err("rollback")).isZero();
        assertThat(rc("agent-unload")).as(out("agent-unload") + err("agent-unload")).isZero();
        JsonNode step = json("agent-unload").get("steps").get(0);
        assertThat(step.get("action").asText()).isEqualTo("unload");
        assertThat(step.get("result").asText()).isEqualTo("unloaded");
        assertThat(step.get("evidence").get("result").asText()).isEqualTo("unloaded");
        assertThat(saved("cmdline-after")).isEqualTo(saved("cmdline-before"));
        assertThat(saved("sysfs-after")).doesNotContain("fix_cmdline");
        assertThat(saved("modules-after")).doesNotContain("fix_cmdline");

        assertThat(saved("rolled-back.rc").strip()).as("the rollout counted the host rolled back").isEqualTo("0");
        JsonNode status = json("rollout-status");
        assertThat(status.get("status").asText()).isEqualTo("ROLLED_BACK");
        assertThat(status.get("waves").get(0).get("rolledBack").asInt()).isEqualTo(1);
        assertThat(status.get("decisions").findValuesAsText("kind")).contains("DISPATCH", "ROLLBACK");
        assertThat(json("hosts").get(0).get("loaded")).isEmpty();
        assertThat(saved("agent-state")).contains("\"managed\" : { }").contains("\"outbox\" : [ ]");
    }

    private void host(Path repo, String... args) throws IOException, InterruptedException {
        List<String> argv = new java.util.ArrayList<>(List.of(repo.resolve("bin/klpfleet").toString()));
        argv.addAll(List.of(args));
        Process p = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(share.resolve(args[0] + ".log").toFile()).start();
        if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("klpfleet " + args[0] + " did not finish within " + BUILD_TIMEOUT);
        }
        assertThat(p.exitValue()).as("klpfleet " + String.join(" ", args) + ":\n" + Files.readString(share.resolve(args[0] + ".log")))
                .isZero();
    }

    private int rc(String step) {
        return Integer.parseInt(saved(step + ".rc").strip());
    }

    private JsonNode json(String step) {
        try {
            return JSON.readTree(out(step));
        } catch (IOException e) {
            throw new AssertionError(step + " did not print JSON: " + out(step) + "\n" + err(step), e);
        }
    }

    private String out(String step) {
        return saved(step + ".out");
    }

    private String err(String step) {
        return saved(step + ".err");
    }

    private String saved(String name) {
        try {
            return Files.readString(share.resolve(name.contains(".") ? name : name + ".txt"));
        } catch (IOException e) {
            throw new UncheckedIOException("the guest left no " + name, e);
        }
    }
}
