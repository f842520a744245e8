package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.protocol.fleet.EnrollRequest;
import dev.klpfleet.protocol.fleet.EnrollResponse;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.api.FleetClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code klpfleet tokens} and {@code klpfleet hosts revoke} against a real server over loopback HTTP. */
class TokensAndRevocationCommandsTest {
    static final String ADMIN = "tokens-test-admin-token-0123456789abcdef";

    @TempDir static Path tmp;
    static FleetServer server;

    @BeforeAll
    static void start() throws Exception {
        server = FleetServer.start(ServerConfig.of(tmp.resolve("data"), "127.0.0.1", 0).withAdminToken(ADMIN));
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static FleetCommandsTest.Run as(String token, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--server", server.uri().toString(), "--token", token));
        return FleetCommandsTest.run(all.toArray(String[]::new));
    }

    @Test
    void an_admin_issues_lists_and_revokes_a_token_which_is_refused_from_then_on() {
        FleetCommandsTest.Run issued = as(ADMIN, "tokens", "issue", "--name", "ci-bot", "--role", "viewer", "--json");
        assertThat(issued.exit()).as(issued.err()).isEqualTo(ExitCodes.OK);
        String token = issued.json().path("token").asText();
        String id = issued.json().path("id").asText();
        assertThat(as(token, "hosts", "list").exit()).isEqualTo(ExitCodes.OK);

        JsonNode listed = null;
        for (JsonNode t : as(ADMIN, "tokens", "list", "--json").json()) {
            if (t.path("id").asText().equals(id)) {
                listed = t;
            }
        }
        assertThat(listed).isNotNull();
        assertThat(listed.path("name").asText()).isEqualTo("ci-bot");
        assertThat(listed.path("role").asText()).isEqualTo("VIEWER");
        assertThat(listed.path("createdAt").isNull()).isFalse();
        assertThat(listed.path("lastUsedAt").isNull()).as("it was just used").isFalse();
        assertThat(listed.path("revokedAt").isNull()).isTrue();
        assertThat(as(ADMIN, "tokens", "list").out()).startsWith("ID").contains("KIND", "NAME", "ROLE", "CREATED", "LAST USED", "REVOKED",
                id, "ci-bot", "viewer", "bootstrap-admin");

        FleetCommandsTest.Run revoked = as(ADMIN, "tokens", "revoke", id);
        assertThat(revoked.exit()).as(revoked.err()).isEqualTo(ExitCodes.OK);
        assertThat(revoked.out()).contains("operator token " + id + " ('ci-bot') revoked at");
        FleetCommandsTest.Run denied = as(token, "hosts", "list");
        assertThat(denied.exit()).isEqualTo(ExitCodes.DENIED);
        assertThat(denied.err().strip()).doesNotContain("\n").contains("401");
        assertThat(as(ADMIN, "tokens", "revoke", "tok_nosuch").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void a_token_named_like_the_engine_is_refused_with_one_line() {
        FleetCommandsTest.Run engine = as(ADMIN, "tokens", "issue", "--name", "engine", "--role", "operator");
        assertThat(engine.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(engine.err().strip()).doesNotContain("\n").contains("reserved");
    }

    @Test
    void an_admin_revokes_a_host_by_hostname_and_its_credential_gets_401() throws Exception {
        String enroll = new FleetClient(server.uri(), ADMIN).post("/api/v1/enrollment-tokens",
                Map.of("name", "rack-9", "labels", Map.of("tier", "canary"))).json().path("token").asText();
        EnrollResponse r = new FleetClient(server.uri(), enroll).post("/api/v1/enroll",
                new EnrollRequest("web-9", "6.1.0-1-amd64", "debian 12", Map.of("tier", "prod"), List.of())).as(EnrollResponse.class);
        FleetClient host = new FleetClient(server.uri(), r.credential());
        String checkin = "/api/v1/hosts/" + r.hostId() + "/checkin";
        String body = "{\"kernelRelease\":\"6.1.0-1-amd64\",\"loaded\":[],\"taint\":0}";
        assertThat(host.postRaw(checkin, body, null).status()).isEqualTo(200);

        FleetCommandsTest.Run show = as(ADMIN, "hosts", "show", "web-9");
        assertThat(show.exit()).as(show.err()).isEqualTo(ExitCodes.OK);
        assertThat(show.out()).contains("labels        tier=canary", "host labels   tier=prod");
        assertThat(as(ADMIN, "hosts", "list").out()).contains("tier=canary [tier=prod]");

        FleetCommandsTest.Run revoked = as(ADMIN, "hosts", "revoke", "web-9");
        assertThat(revoked.exit()).as(revoked.err()).isEqualTo(ExitCodes.OK);
        assertThat(revoked.out()).contains("host web-9 (" + r.hostId() + ") revoked at");
        assertThat(host.postRaw(checkin, body, null).status()).isEqualTo(401);
        assertThat(as(ADMIN, "hosts", "list").out()).contains("REVOKED");
        assertThat(as(ADMIN, "hosts", "show", r.hostId(), "--json").json().path("revokedAt").isNull()).isFalse();
        assertThat(as(ADMIN, "hosts", "revoke", "no-such-host").exit()).isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void the_server_refuses_an_admin_token_shorter_than_32_characters_with_its_own_exit_code() throws Exception {
        Path data = tmp.resolve("weak");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx128m",
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), "dev.klpfleet.cli.Main",
                "server", "--data", data.toString(), "--listen", "127.0.0.1:0");
        pb.environment().put("KLPFLEET_ADMIN_TOKEN", "hunter2");
        Path err = Files.createTempFile("klpfleet-weak", ".err");
        pb.redirectError(err.toFile()).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        if (!p.waitFor(ServerProcess.START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(ServerProcess.KILL_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            throw new AssertionError("a server with a 7-character admin token started instead of refusing");
        }
        assertThat(p.exitValue()).isEqualTo(ExitCodes.WEAK_SECRET);
        List<String> lines = Files.readAllLines(err, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).contains("KLPFLEET_ADMIN_TOKEN has 7 characters", "at least 32");
        assertThat(data).as("nothing was created").doesNotExist();
    }
}
