package dev.klpfleet.server.api;

import dev.klpfleet.server.storage.DatabaseLocation;

/** {@link BadInputContract} on the SQLite database in the server's data directory. */
class BadInputSqliteTest extends BadInputContract {
    @Override
    DatabaseLocation database() {
        return null;
    }
}
