package dev.klpfleet.cli.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.klpfleet.cli.ExitCodes;
import dev.klpfleet.protocol.transport.Fingerprint;
import dev.klpfleet.protocol.transport.ServerTrust;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS by default, over real sockets on loopback: {@code klpfleet server} with no TLS options makes its own
 * certificate and prints its fingerprint (checked against what openssl computes from the file), clients
 * trust exactly that pin or a CA file, refuse plain HTTP beyond loopback, and a server offers only TLS 1.2+
 * with HTTP/2 by ALPN.
 */
class TlsTest {
    static final Duration OPENSSL_TIMEOUT = Duration.ofSeconds(30);

    @TempDir static Path tmp;
    static ServerProcess server;
    static Path data;

    @BeforeAll
    static void aServerWithNoTlsOptions() throws Exception {
        data = tmp.resolve("data");
        server = ServerProcess.startSelfSigned(data);
    }

    @AfterAll
    static void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    String fingerprint() {
        return server.started.path("fingerprint").asText();
    }

    FleetCommandsTest.Run cli(String... args) {
        return FleetCommandsTest.run(args);
    }

    @Test
    void a_server_started_without_tls_options_serves_https_with_a_generated_certificate_and_prints_its_openssl_fingerprint() throws Exception {
        assertThat(server.uri.getScheme()).isEqualTo("https");
        assertThat(server.started.path("tls").asBoolean()).isTrue();
        Path crt = data.resolve("tls/server.crt");
        Process p = new ProcessBuilder("openssl", "x509", "-in", crt.toString(), "-noout", "-fingerprint", "-sha256").start();
        assertThat(p.waitFor(OPENSSL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        String openssl = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
        // openssl prints "sha256 Fingerprint=AB:CD:..." (older releases "SHA256 Fingerprint=").
        assertThat(fingerprint()).isEqualTo("SHA256:" + openssl.substring(openssl.indexOf('=') + 1));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("tls/server.pem")))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("tls")))).isEqualTo("rwx------");
    }

    @Test
    void the_cli_talks_to_it_with_the_pinned_fingerprint_and_refuses_another_certificate_with_its_own_exit_code() {
        FleetCommandsTest.Run pinned = cli("patch", "list", "--server", server.uri.toString(), "--token", ServerProcess.ADMIN,
                "--server-fingerprint", fingerprint());
        assertThat(pinned.exit()).as(pinned.err()).isEqualTo(ExitCodes.OK);

        String other = "SHA256:" + "00:".repeat(31) + "01";
        FleetCommandsTest.Run wrongPin = cli("patch", "list", "--server", server.uri.toString(), "--token", ServerProcess.ADMIN,
                "--server-fingerprint", other);
        assertThat(wrongPin.exit()).isEqualTo(ExitCodes.UNTRUSTED);
        assertThat(wrongPin.err().strip().lines()).hasSize(1);
        assertThat(wrongPin.err()).contains("not the pinned", other).doesNotContain("\tat ");

        // No pin and no CA: the JDK's public CAs do not know a self-signed certificate.
        FleetCommandsTest.Run noTrust = cli("patch", "list", "--server", server.uri.toString(), "--token", ServerProcess.ADMIN);
        assertThat(noTrust.exit()).isEqualTo(ExitCodes.UNTRUSTED);

        FleetCommandsTest.Run asCa = cli("patch", "list", "--server", server.uri.toString(), "--token", ServerProcess.ADMIN,
                "--server-ca", data.resolve("tls/server.crt").toString());
        assertThat(asCa.exit()).as(asCa.err()).isEqualTo(ExitCodes.OK);

        FleetCommandsTest.Run garbled = cli("patch", "list", "--server", server.uri.toString(), "--token", ServerProcess.ADMIN,
                "--server-fingerprint", "SHA256:zz");
        assertThat(garbled.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(garbled.err()).contains("64 hex digits");
    }

    @Test
    void plain_http_is_refused_to_anything_but_loopback_by_the_cli_and_the_agent() {
        FleetCommandsTest.Run cli = cli("patch", "list", "--server", "http://192.0.2.10:8440", "--token", ServerProcess.ADMIN);
        assertThat(cli.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(cli.err()).contains("refusing plain http:// to 192.0.2.10");

        FleetCommandsTest.Run agent = cli("agent", "--server", "http://192.0.2.10:8440", "--data", tmp.resolve("agent").toString(),
                "--public-key", tmp.resolve("nokey").toString(), "--once");
        assertThat(agent.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(agent.err()).contains("refusing plain http:// to 192.0.2.10");
        assertThat(tmp.resolve("agent")).doesNotExist();
    }

    @Test
    void a_server_refuses_plain_http_on_an_address_other_than_loopback_and_starts_nothing() throws Exception {
        Path d = tmp.resolve("plain-wide");
        FleetCommandsTest.Run r = ServerRunner.runToExit(d, "--listen", "0.0.0.0:0", "--plain-http");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("--plain-http is refused on 0.0.0.0");
        assertThat(d).doesNotExist();
    }

    @Test
    void connection_limits_below_one_are_a_usage_error() throws Exception {
        FleetCommandsTest.Run r = ServerRunner.runToExit(tmp.resolve("limits"), "--max-connections-per-address", "0");
        assertThat(r.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(r.err()).contains("must be at least 1");
    }

    @Test
    void a_server_given_an_unreadable_key_says_so_in_one_line_with_the_bad_input_code() throws Exception {
        Path key = tmp.resolve("bad.key");
        Files.writeString(key, "-----BEGIN PRIVATE KEY-----\nnot base64 at all\n-----END PRIVATE KEY-----\n");
        FleetCommandsTest.Run r = ServerRunner.runToExit(tmp.resolve("badkey"), "--tls-cert", data.resolve("tls/server.crt").toString(),
                "--tls-key", key.toString());
        assertThat(r.exit()).isEqualTo(ExitCodes.BAD_INPUT);
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains(key.toString());
        assertThat(tmp.resolve("badkey")).as("nothing was created").doesNotExist();
    }

    @Test
    void a_restarted_server_keeps_its_certificate_so_pinned_agents_keep_working() throws Exception {
        Path d = tmp.resolve("restart");
        String first;
        try (ServerProcess s = ServerProcess.startSelfSigned(d)) {
            first = s.started.path("fingerprint").asText();
        }
        try (ServerProcess s = ServerProcess.startSelfSigned(d)) {
            assertThat(s.started.path("fingerprint").asText()).isEqualTo(first);
        }
    }

    @Test
    void the_server_speaks_http2_by_alpn_to_a_client_that_asks() throws Exception {
        HttpClient h2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2)
                .sslContext(new ServerTrust.Pinned(Fingerprint.parse(fingerprint())).sslContext()).build();
        HttpResponse<String> r = h2.send(HttpRequest.newBuilder(server.uri.resolve("/healthz")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.version()).isEqualTo(HttpClient.Version.HTTP_2);
    }

    @Test
    void openssl_gets_tls_1_2_and_1_3_but_not_1_1() throws Exception {
        String port = String.valueOf(server.uri.getPort());
        assertThat(sClient(port, "-tls1_3")).contains("Protocol  : TLSv1.3");
        assertThat(sClient(port, "-tls1_2")).contains("Protocol  : TLSv1.2");
        // SECLEVEL=0 lets this openssl offer TLS 1.1 at all; the server must be the one saying no.
        String old = sClient(port, "-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0");
        assertThat(old).doesNotContain("Protocol  : TLSv1.1").containsAnyOf("alert protocol version", "no protocols available",
                "unsupported protocol", "wrong version number", "handshake failure");
    }

    static String sClient(String port, String... extra) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port, "-brief"));
        cmd.addAll(List.of(extra));
        // -brief prints "Protocol version: TLSv1.3"; normalise to one form for the assertions.
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(OPENSSL_TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).replace("Protocol version: ", "Protocol  : ");
    }
}
