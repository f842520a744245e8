package dev.klpfleet.cli.fleet;

import java.sql.DriverManager;
import java.sql.SQLException;

/** Fresh schemas on the test PostgreSQL (127.0.0.1:5432, database test, user postgres), dropped after use. */
final class TestPostgres {
    static final String SERVER = System.getProperty("klpfleet.test.pg", "postgresql://postgres@127.0.0.1:5432/test");
    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/test";

    private TestPostgres() {}

    /** A new schema name; the server creates the schema on first start. */
    static String freshSchema() {
        return "klpfleet_p" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xffff));
    }

    /** The {@code --db} URL of {@code schema}. */
    static String url(String schema) {
        return SERVER + "?schema=" + schema;
    }

    /** Drops {@code schema}; best effort, since a leftover schema costs only disk space. */
    static void drop(String schema) {
        try (var c = DriverManager.getConnection(JDBC, "postgres", null)) {
            c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        } catch (SQLException e) {
            // The next run's schemas have other names.
        }
    }
}
