package dev.klpfleet.server.api;

import dev.klpfleet.server.storage.DatabaseLocation;
import dev.klpfleet.server.storage.TestDatabases;
import org.junit.jupiter.api.AfterAll;

/** {@link BadInputContract} on a fresh PostgreSQL schema. */
class BadInputPostgresTest extends BadInputContract {
    @Override
    DatabaseLocation database() {
        return TestDatabases.freshPostgresLocation();
    }

    @AfterAll
    static void dropSchemas() {
        TestDatabases.dropTestSchemas();
    }
}
