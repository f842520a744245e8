package dev.klpfleet.server.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.klpfleet.server.storage.TestDatabases;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The audit log pages through X-Next-Cursor like every other list: each entry once, newest first, no page read whole. */
class AuditPagingApiTest {
    static Stream<String> databases() {
        return Stream.of("sqlite", "postgresql");
    }

    @ParameterizedTest
    @MethodSource("databases")
    void pagesOfThreeHoldEveryEntryOnceNewestFirstAndABadCursorIsA400(String kind) throws Exception {
        try (TestFleet fleet = new TestFleet(kind.equals("sqlite") ? null : TestDatabases.freshPostgresLocation())) {
            for (int i = 0; i < 7; i++) {
                assertThat(fleet.admin.post("/api/v1/enrollment-tokens", Map.of("name", "batch-" + i)).status()).isEqualTo(201);
            }
            JsonNode whole = fleet.admin.get("/api/v1/audit").json();
            List<String> all = new ArrayList<>();
            whole.forEach(e -> all.add(e.path("id").asText()));
            assertThat(all).hasSizeGreaterThanOrEqualTo(7);

            List<String> paged = new ArrayList<>();
            List<Integer> sizes = new ArrayList<>();
            String cursor = null;
            do {
                FleetClient.Answer page = fleet.admin.get("/api/v1/audit?limit=3" + (cursor == null ? "" : "&cursor=" + cursor));
                assertThat(page.status()).isEqualTo(200);
                sizes.add(page.json().size());
                page.json().forEach(e -> paged.add(e.path("id").asText()));
                cursor = page.nextCursor();
            } while (cursor != null);

            assertThat(paged).as("the same entries in the same order").isEqualTo(all);
            assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n == 3);
            FleetClient.Answer bad = fleet.admin.get("/api/v1/audit?cursor=bm90LWEta2V5");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.error()).contains("cursor");
            assertThat(fleet.admin.get("/api/v1/audit?limit=501").status()).isEqualTo(400);
        }
    }
}
