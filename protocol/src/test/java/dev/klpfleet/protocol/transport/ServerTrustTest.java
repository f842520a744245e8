package dev.klpfleet.protocol.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServerTrustTest {
    @Test
    void plainHttpIsAllowedToLoopbackOnlyAndNamesWhereItWasRefused() {
        for (String ok : new String[] {"http://127.0.0.1:8440", "http://127.8.9.1/", "http://[::1]:8440", "http://localhost:1",
                "https://10.0.0.5:8443", "https://fleet.example"}) {
            assertThat(ServerTrust.checkUrl(URI.create(ok))).as(ok).isEqualTo(URI.create(ok));
        }
        for (String bad : new String[] {"http://10.0.0.5:8440", "http://fleet.example", "http://127.0.0.1.example.com", "http://0.0.0.0:1"}) {
            assertThatThrownBy(() -> ServerTrust.checkUrl(URI.create(bad))).as(bad).isInstanceOf(ServerTrust.Refused.class)
                    .hasMessageContaining("refusing plain http://");
        }
        assertThatThrownBy(() -> ServerTrust.checkUrl(URI.create("ftp://127.0.0.1/"))).hasMessageContaining("https://HOST");
    }

    @Test
    void aFingerprintReadsAsOpensslPrintsItWithOrWithoutColonsAndPrefix() {
        String hex = "0123456789abcdef".repeat(4);
        Fingerprint plain = Fingerprint.parse(hex);
        String openssl = "SHA256:" + hex.toUpperCase().replaceAll("(..)(?!$)", "$1:");
        assertThat(Fingerprint.parse(openssl)).isEqualTo(plain);
        assertThat(plain.toString()).isEqualTo(openssl);
        assertThatThrownBy(() -> Fingerprint.parse("SHA256:abc")).hasMessageContaining("64 hex digits");
    }

    @Test
    void theEnvironmentNamesTheTrustWhenNoOptionDoesAndBothAtOnceIsRefused() {
        String hex = "ab".repeat(32);
        assertThat(ServerTrust.of(null, null, Map.of(ServerTrust.FINGERPRINT_ENV, hex)::get)).isInstanceOf(ServerTrust.Pinned.class);
        assertThat(ServerTrust.of(null, null, Map.<String, String>of()::get)).isInstanceOf(ServerTrust.SystemDefault.class);
        assertThatThrownBy(() -> ServerTrust.of(java.nio.file.Path.of("/etc/hostname"), hex, k -> null)).hasMessageContaining("not both");
        assertThatThrownBy(() -> ServerTrust.of(java.nio.file.Path.of("/no/such/ca.pem"), null, k -> null)).hasMessageContaining("does not exist");
    }
}
