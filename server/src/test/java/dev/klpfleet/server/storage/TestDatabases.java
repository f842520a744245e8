package dev.klpfleet.server.storage;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Supplier;

/**
 * The databases every storage test runs against: an SQLite file in a fresh temporary
 * directory, and the real PostgreSQL on 127.0.0.1:5432 (database {@code test}, user postgres)
 * in a fresh schema per opened database so runs never see each other's rows.
 */
public final class TestDatabases {
    public static final String PG_URL = System.getProperty("klpfleet.test.pg", "postgresql://postgres@127.0.0.1:5432/test");

    /** Schemas this JVM created, the only ones {@link #dropTestSchemas} drops. */
    private static final java.util.Set<String> CREATED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private TestDatabases() {}

    /** A named way to open a fresh, migrated, empty database. */
    public record Kind(String name, Supplier<Database> opener) {
        @Override
        public String toString() {
            return name;
        }

        public Database open() {
            return opener.get();
        }
    }

    public static List<Kind> all() {
        return List.of(new Kind("sqlite", TestDatabases::freshSqlite), new Kind("postgresql", TestDatabases::freshPostgres));
    }

    public static Database freshSqlite() {
        try {
            Path dir = Files.createTempDirectory("klpfleet-db");
            return Database.open(DatabaseLocation.inDataDir(dir));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A location in a new, empty schema on the test PostgreSQL; the schema is created by Flyway on open. */
    public static DatabaseLocation.Postgres freshPostgresLocation() {
        String schema = "klpfleet_t" + Long.toHexString(System.nanoTime()) + Integer.toHexString((int) (Math.random() * 0xffff));
        CREATED.add(schema);
        return ((DatabaseLocation.Postgres) DatabaseLocation.parse(PG_URL)).withSchema(schema);
    }

    public static Database freshPostgres() {
        return Database.open(freshPostgresLocation());
    }

    /**
     * Drops the schemas this test JVM created; best effort. Only its own: other test runs on the
     * same machine share the PostgreSQL database and are using theirs.
     */
    public static void dropTestSchemas() {
        var pg = (DatabaseLocation.Postgres) DatabaseLocation.parse(PG_URL);
        try (var c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password())) {
            for (String n : List.copyOf(CREATED)) {
                c.createStatement().execute("DROP SCHEMA IF EXISTS " + n + " CASCADE");
                CREATED.remove(n);
            }
        } catch (SQLException e) {
            // Leftover schemas cost only disk space.
        }
    }
}
