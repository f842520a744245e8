package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.FleetServer;
import dev.klpfleet.server.ServerConfig;
import dev.klpfleet.server.access.AccessStore;
import dev.klpfleet.server.access.TokenHashKey;
import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.storage.TestDatabases;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Credentials over real HTTP on loopback: rotation, revocation, keyed hashes, private files, reserved names. */
class CredentialsApiTest {
    static final Duration WAIT = Duration.ofSeconds(10);
    static final String FIRST_ADMIN = "first-admin-token-0123456789abcdef0123456789";
    static final String SECOND_ADMIN = "second-admin-token-0123456789abcdef0123456789";

    /** SQLite in the data directory, and a fresh schema on the test PostgreSQL. */
    static Stream<String> databases() {
        return Stream.of("sqlite", "postgresql");
    }

    static DatabaseLocation location(String kind, Path dir) {
        return kind.equals("sqlite") ? new DatabaseLocation.Sqlite(dir.resolve("fleet.db")) : TestDatabases.freshPostgresLocation();
    }

    static FleetServer start(Path dir, DatabaseLocation db, String admin) throws Exception {
        return FleetServer.start(ServerConfig.of(dir, "127.0.0.1", 0).withDatabase(db).withAdminToken(admin)
                .withEngineTick(Duration.ofMillis(100)));
    }

    @ParameterizedTest
    @MethodSource("databases")
    void restartingWithANewAdminTokenReplacesTheOldOne(String kind) throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-rotate");
        DatabaseLocation db = location(kind, dir);
        try (FleetServer s = start(dir, db, FIRST_ADMIN)) {
            assertThat(new FleetClient(s.uri(), FIRST_ADMIN).get("/api/v1/hosts").status()).isEqualTo(200);
        }
        try (FleetServer s = start(dir, db, SECOND_ADMIN)) {
            assertThat(s.bootstrapNote()).contains("replaced");
            assertThat(new FleetClient(s.uri(), FIRST_ADMIN).get("/api/v1/hosts").status()).as("the old admin token").isEqualTo(401);
            FleetClient second = new FleetClient(s.uri(), SECOND_ADMIN);
            assertThat(second.get("/api/v1/hosts").status()).isEqualTo(200);
            JsonNode tokens = second.get("/api/v1/tokens").json();
            long liveBootstrap = 0;
            long allBootstrap = 0;
            for (JsonNode t : tokens) {
                if (t.path("name").asText().equals(AccessStore.BOOTSTRAP_NAME)) {
                    allBootstrap++;
                    liveBootstrap += t.path("revokedAt").isNull() ? 1 : 0;
                }
            }
            assertThat(allBootstrap).isEqualTo(2);
            assertThat(liveBootstrap).as("exactly one live bootstrap admin").isEqualTo(1);
        }
        try (FleetServer s = start(dir, db, SECOND_ADMIN)) {
            assertThat(s.bootstrapNote()).as("the same token again replaces nothing").doesNotContain("replaced");
            assertThat(new FleetClient(s.uri(), SECOND_ADMIN).get("/api/v1/hosts").status()).isEqualTo(200);
        }
    }

    @Test
    void anAdminTokenShorterThan32CharactersIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-weak").resolve("data");
        assertThatThrownBy(() -> start(dir, new DatabaseLocation.Sqlite(dir.resolve("fleet.db")), "a"))
                .isInstanceOf(AccessStore.WeakAdminToken.class).hasMessageContaining("at least 32");
        assertThatThrownBy(() -> start(dir, new DatabaseLocation.Sqlite(dir.resolve("fleet.db")), "x".repeat(31)))
                .isInstanceOf(AccessStore.WeakAdminToken.class).hasMessageContaining("31 characters");
        assertThat(dir).doesNotExist();
    }

    @Test
    void aMissingDataDirectoryIsCreatedPrivateAndTheDatabaseAndKeyAreOwnerOnly() throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-fresh").resolve("a/b/data");
        try (FleetServer s = FleetServer.start(ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(FIRST_ADMIN))) {
            assertThat(new FleetClient(s.uri(), FIRST_ADMIN).get("/api/v1/hosts").status()).isEqualTo(200);
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(dir.resolve("fleet.db"))).isEqualTo("rw-------");
            assertThat(mode(dir.resolve(TokenHashKey.FILE))).isEqualTo("rw-------");
            if (Files.exists(dir.resolve("fleet.db-wal"))) {
                assertThat(mode(dir.resolve("fleet.db-wal"))).isEqualTo("rw-------");
            }
        }
    }

    @Test
    void aWorldReadableDatabaseFromBeforeIsTightenedOnStart() throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-loose");
        try (FleetServer s = FleetServer.start(ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(FIRST_ADMIN))) {
            assertThat(s.uri()).isNotNull();
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(dir.resolve("fleet.db"), PosixFilePermissions.fromString("rw-r--r--"));
        try (FleetServer s = FleetServer.start(ServerConfig.of(dir, "127.0.0.1", 0).withAdminToken(FIRST_ADMIN))) {
            assertThat(mode(dir)).isEqualTo("rwx------");
            assertThat(mode(dir.resolve("fleet.db"))).isEqualTo("rw-------");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void storedHashesAreKeyedWithTheServersSecretNotPlainSha256(String kind) throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-keyed");
        try (FleetServer s = start(dir, location(kind, dir), FIRST_ADMIN)) {
            FleetClient admin = new FleetClient(s.uri(), FIRST_ADMIN);
            String viewer = admin.post("/api/v1/tokens", Map.of("name", "keyed-viewer", "role", "VIEWER")).json().path("token").asText();
            byte[] key = HexFormat.of().parseHex(Files.readString(dir.resolve(TokenHashKey.FILE)).strip());
            List<String> stored = s.database().withHandle(h -> h.createQuery("SELECT token_hash FROM api_tokens").mapTo(String.class).list());
            assertThat(stored).hasSize(2)
                    .doesNotContain(sha256(FIRST_ADMIN), sha256(viewer))
                    .containsExactlyInAnyOrder(hmac(key, FIRST_ADMIN), hmac(key, viewer));
        }
    }

    @Test
    void aRowHashedBeforeKeyedHashesStillSignsInAndIsReHashedOnFirstUse() throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-legacy");
        String legacy = "klpo_" + "ab".repeat(32);
        String legacyHash = sha256(legacy);
        try (FleetServer s = start(dir, new DatabaseLocation.Sqlite(dir.resolve("fleet.db")), FIRST_ADMIN)) {
            s.database().withHandle(h -> h.createUpdate("INSERT INTO api_tokens (id, name, role, token_hash, created_at) "
                    + "VALUES ('tok_legacy', 'old-viewer', 'VIEWER', :h, 0)").bind("h", legacyHash).execute());
            assertThat(new FleetClient(s.uri(), legacy).get("/api/v1/hosts").status()).isEqualTo(200);
            byte[] key = HexFormat.of().parseHex(Files.readString(dir.resolve(TokenHashKey.FILE)).strip());
            String row = s.database().withHandle(h -> h.createQuery("SELECT token_hash || ' ' || hash_kind FROM api_tokens WHERE id = 'tok_legacy'")
                    .mapTo(String.class).one());
            assertThat(row).isEqualTo(hmac(key, legacy) + " hmac");
            assertThat(new FleetClient(s.uri(), legacy).get("/api/v1/hosts").status()).isEqualTo(200);
        }
    }

    @Test
    void aHostCredentialHashedBeforeKeyedHashesStillChecksInAndIsReHashed() throws Exception {
        Path dir = Files.createTempDirectory("klpfleet-legacy-host");
        String credential = "klph_" + "cd".repeat(32);
        String legacyHash = sha256(credential);
        try (FleetServer s = start(dir, new DatabaseLocation.Sqlite(dir.resolve("fleet.db")), FIRST_ADMIN)) {
            s.database().withHandle(h -> h.createUpdate("INSERT INTO hosts (id, hostname, kernel_release, distro, labels_json, capabilities_json, "
                    + "observed_json, credential_hash, enrolled_at, last_seen_at) VALUES ('h_legacy', 'old-host', '6.1.0-1-amd64', '', "
                    + "'{\"tier\":\"prod\"}', '[]', '{\"loaded\":[],\"taint\":null}', :h, 0, 0)").bind("h", legacyHash).execute());
            FleetClient host = new FleetClient(s.uri(), credential);
            FleetClient.Answer a = host.postRaw("/api/v1/hosts/h_legacy/checkin", "{\"kernelRelease\":\"6.1.0-1-amd64\",\"loaded\":[],\"taint\":0}", null);
            assertThat(a.status()).as(a.body()).isEqualTo(200);
            String kind = s.database().withHandle(h -> h.createQuery("SELECT hash_kind FROM hosts WHERE id = 'h_legacy'").mapTo(String.class).one());
            assertThat(kind).isEqualTo("hmac");
            JsonNode view = new FleetClient(s.uri(), FIRST_ADMIN).get("/api/v1/hosts/h_legacy").json();
            assertThat(view.path("labels").path("tier").asText()).as("labels stored before the split stay binding").isEqualTo("prod");
            assertThat(view.path("hostLabels").size()).isZero();
        }
    }

    @Test
    void aServerWithAnotherTokenKeyThanTheDatabasesRefusesToStart() throws Exception {
        DatabaseLocation.Postgres pg = TestDatabases.freshPostgresLocation();
        try (FleetServer a = start(Files.createTempDirectory("klpfleet-key-a"), pg, FIRST_ADMIN)) {
            assertThat(a.uri()).isNotNull();
            assertThatThrownBy(() -> start(Files.createTempDirectory("klpfleet-key-b"), pg, FIRST_ADMIN))
                    .isInstanceOf(TokenHashKey.Mismatch.class).hasMessageContaining("--token-key");
        }
    }

    @ParameterizedTest
    @MethodSource("databases")
    void revokedOperatorAndEnrollmentTokensAndHostCredentialsGet401AtOnce(String kind) throws Exception {
        try (TestFleet fleet = new TestFleet(kind.equals("sqlite") ? null : TestDatabases.freshPostgresLocation())) {
            JsonNode issued = fleet.admin.post("/api/v1/tokens", Map.of("name", "revoke-me", "role", "OPERATOR")).json();
            FleetClient op = fleet.client(issued.path("token").asText());
            assertThat(op.get("/api/v1/hosts").status()).isEqualTo(200);
            JsonNode listed = tokenById(fleet, issued.path("id").asText());
            assertThat(listed.path("kind").asText()).isEqualTo("operator");
            assertThat(listed.path("role").asText()).isEqualTo("OPERATOR");
            assertThat(listed.path("createdAt").isNull()).isFalse();
            assertThat(listed.path("lastUsedAt").isNull()).as("last use is recorded").isFalse();
            assertThat(listed.path("revokedAt").isNull()).isTrue();
            assertThat(listed.toString()).doesNotContain(issued.path("token").asText());

            FleetClient.Answer revoked = fleet.admin.post("/api/v1/tokens/" + issued.path("id").asText() + "/revoke", null);
            assertThat(revoked.status()).isEqualTo(200);
            assertThat(revoked.json().path("revokedAt").isNull()).isFalse();
            assertThat(op.get("/api/v1/hosts").status()).isEqualTo(401);
            assertThat(tokenById(fleet, issued.path("id").asText()).path("revokedAt").isNull()).isFalse();
            assertThat(fleet.admin.post("/api/v1/tokens/tok_nosuch/revoke", null).status()).isEqualTo(404);

            JsonNode enrollment = fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", "revoked-batch")).json();
            assertThat(fleet.admin.post("/api/v1/tokens/" + enrollment.path("id").asText() + "/revoke", null).status()).isEqualTo(200);
            FleetClient.Answer enroll = fleet.client(enrollment.path("token").asText()).post("/api/v1/enroll",
                    Map.of("hostname", "late", "kernelRelease", "6.1.0-1-amd64"));
            assertThat(enroll.status()).isEqualTo(401);

            TestFleet.Host h = fleet.enroll("revoked-host", "6.1.0-1-amd64", Map.of("fleet", "revoked-" + kind));
            assertThat(h.checkin(null).status()).as("its credential is now cached").isEqualTo(200);
            FleetClient.Answer hostRevoked = fleet.admin.post("/api/v1/hosts/" + h.id() + "/revoke", null);
            assertThat(hostRevoked.status()).isEqualTo(200);
            assertThat(hostRevoked.json().path("revokedAt").isNull()).isFalse();
            assertThat(h.checkin(null).status()).as("revoked despite the cache").isEqualTo(401);
            assertThat(h.api().get("/api/v1/artifacts/" + "0".repeat(64)).status()).isEqualTo(401);
            assertThat(fleet.admin.post("/api/v1/hosts/h_nosuch/revoke", null).status()).isEqualTo(404);

            assertThat(fleet.admin.post("/api/v1/artifacts", fleet.artifact("revoked_fix", "1", "6.1.0-1-amd64")).status()).isEqualTo(201);
            FleetClient.Answer rollout = fleet.admin.post("/api/v1/rollouts", Map.of("patch", "revoked_fix", "version", "1",
                    "selector", Map.of("labels", Map.of("fleet", "revoked-" + kind), "kernelReleases", List.of())));
            assertThat(rollout.status()).as("a revoked host is not targeted").isEqualTo(400);
            assertThat(rollout.error()).contains("matches no enrolled host");
        }
    }

    @Test
    void aHostRevokedThroughOneServerIsRefusedByAnotherThatCachedItsCredential() throws Exception {
        DatabaseLocation.Postgres pg = TestDatabases.freshPostgresLocation();
        try (TestFleet a = new TestFleet(pg);
             FleetServer b = FleetServer.start(ServerConfig.of(Files.createTempDirectory("klpfleet-revoke-b"), "127.0.0.1", 0)
                     .withDatabase(pg).withAdminToken(TestFleet.ADMIN).withTokenKey(a.dir.resolve(TokenHashKey.FILE)))) {
            TestFleet.Host h = a.enroll("two-servers", "6.1.0-1-amd64", Map.of());
            FleetClient viaB = h.viaServer(b.uri());
            String checkin = "/api/v1/hosts/" + h.id() + "/checkin";
            String body = "{\"kernelRelease\":\"6.1.0-1-amd64\",\"loaded\":[],\"taint\":0}";
            assertThat(viaB.postRaw(checkin, body, null).status()).isEqualTo(200);
            assertThat(a.admin.post("/api/v1/hosts/" + h.id() + "/revoke", null).status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> viaB.postRaw(checkin, body, null).status() == 401);
        }
    }

    @Test
    void namesThatCouldBeMistakenForTheEngineOrAHostAreRefused() throws Exception {
        try (TestFleet fleet = new TestFleet()) {
            for (String name : List.of("engine", "Engine ", "h_3f9c0a1b2c3d4e5f", "bootstrap-admin")) {
                FleetClient.Answer a = fleet.admin.post("/api/v1/tokens", Map.of("name", name, "role", "OPERATOR"));
                assertThat(a.status()).as(name).isEqualTo(400);
                assertThat(a.error()).as(name).containsAnyOf("reserved", "host id");
                assertThat(fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", name)).status()).as(name).isEqualTo(400);
            }
            assertThat(fleet.admin.get("/api/v1/tokens").json().findValuesAsText("name")).doesNotContain("engine", "h_3f9c0a1b2c3d4e5f");
            assertThat(fleet.admin.post("/api/v1/tokens", Map.of("name", "engineer-eve", "role", "VIEWER")).status()).isEqualTo(201);
        }
    }

    @Test
    void issuedTokensCarryAtLeast128BitsOfRandomness() throws Exception {
        try (TestFleet fleet = new TestFleet()) {
            String token = fleet.admin.post("/api/v1/tokens", Map.of("name", "entropy", "role", "VIEWER")).json().path("token").asText();
            String enrollment = fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", "entropy")).json().path("token").asText();
            String credential = fleet.enroll("entropy", "6.1.0-1-amd64", Map.of()).credential();
            for (String t : List.of(token, enrollment, credential)) {
                String hex = t.substring(t.indexOf('_') + 1);
                assertThat(hex).matches("[0-9a-f]+");
                assertThat(hex.length() * 4).as(t).isGreaterThanOrEqualTo(128);
            }
        }
    }

    private static JsonNode tokenById(TestFleet fleet, String id) throws Exception {
        for (JsonNode t : fleet.admin.get("/api/v1/tokens").json()) {
            if (t.path("id").asText().equals(id)) {
                return t;
            }
        }
        throw new AssertionError("token " + id + " not listed");
    }

    private static String mode(Path p) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
    }

    private static String sha256(String s) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static String hmac(byte[] key, String s) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return HexFormat.of().formatHex(mac.doFinal(s.getBytes(StandardCharsets.UTF_8)));
    }
}
